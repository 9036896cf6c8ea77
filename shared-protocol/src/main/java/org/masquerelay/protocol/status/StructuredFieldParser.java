package org.masquerelay.protocol.status;

import java.util.ArrayList;
import java.util.List;

/**
 * Strict RFC 8941 §4.2 parser, reduced to what Proxy-Status needs: a List whose members are
 * token or string Items with parameters of any bare-item type (values of parameters other than
 * {@code error} and {@code details} are validated and then dropped).
 */
final class StructuredFieldParser {

  private static final String NAME = "proxy-status";

  private final String input;
  private int pos;

  StructuredFieldParser(String input) {
    this.input = input;
  }

  /** RFC 8941 §3.3.4: {@code sf-token = ( ALPHA / "*" ) *( tchar / ":" / "/" )}. */
  static boolean isToken(String s) {
    if (s.isEmpty() || !isTokenStart(s.charAt(0))) {
      return false;
    }
    for (int i = 1; i < s.length(); i++) {
      if (!isTokenChar(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAlpha(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isTokenStart(char c) {
    return isAlpha(c) || c == '*';
  }

  /** RFC 9110 §5.6.2 tchar, plus ":" and "/" (RFC 8941 §3.3.4). */
  private static boolean isTokenChar(char c) {
    return isAlpha(c) || isDigit(c) || "!#$%&'*+-.^_`|~:/".indexOf(c) >= 0;
  }

  /** RFC 8941 §4.2 with §4.2.1, for the Proxy-Status field. */
  List<ProxyStatus> parseProxyStatusList() {
    List<ProxyStatus> members = new ArrayList<>();
    skipSpaces();
    if (atEnd()) {
      return members;
    }
    for (; ; ) {
      members.add(parseMember());
      skipOws();
      if (atEnd()) {
        return members;
      }
      if (input.charAt(pos) != ',') {
        throw fail("expected ',' after list member");
      }
      pos++;
      skipOws();
      if (atEnd()) {
        throw fail("trailing ',' at end of list");
      }
    }
  }

  /** RFC 8941 §4.2.3 item, restricted to RFC 9209 §2 members. */
  private ProxyStatus parseMember() {
    char c = input.charAt(pos);
    String name;
    if (c == '"') {
      name = parseString();
      if (name.isEmpty()) {
        throw fail("proxy name is empty");
      }
    } else if (isTokenStart(c)) {
      name = parseToken();
    } else if (c == '(') {
      throw fail("inner lists are not allowed in " + NAME);
    } else {
      throw fail("list member must be a token or string");
    }
    String error = null;
    String details = null;
    // RFC 8941 §4.2.3.2: parameters; a repeated key overwrites the earlier value.
    while (!atEnd() && input.charAt(pos) == ';') {
      pos++;
      skipSpaces();
      String key = parseKey();
      Object value = Boolean.TRUE;
      if (!atEnd() && input.charAt(pos) == '=') {
        pos++;
        value = parseBareItem();
      }
      if (key.equals("error")) {
        if (!(value instanceof Token token)) {
          throw fail("error parameter must be a token (RFC 9209 §2.1.1)");
        }
        error = token.value();
      } else if (key.equals("details")) {
        if (!(value instanceof String text)) {
          throw fail("details parameter must be a string (RFC 9209 §2.1.5)");
        }
        details = text;
      }
    }
    return new ProxyStatus(name, error, details);
  }

  /** RFC 8941 §4.2.3.3. */
  private String parseKey() {
    if (atEnd()) {
      throw fail("expected a parameter key");
    }
    char first = input.charAt(pos);
    if (!(first >= 'a' && first <= 'z' || first == '*')) {
      throw fail("parameter key must start with a lower-case letter or '*'");
    }
    int start = pos++;
    while (!atEnd()) {
      char c = input.charAt(pos);
      if (c >= 'a' && c <= 'z' || isDigit(c) || c == '_' || c == '-' || c == '.' || c == '*') {
        pos++;
      } else {
        break;
      }
    }
    return input.substring(start, pos);
  }

  /** RFC 8941 §4.2.3.1. Strings are {@link String}, tokens {@link Token}. */
  private Object parseBareItem() {
    if (atEnd()) {
      throw fail("expected a parameter value");
    }
    char c = input.charAt(pos);
    if (c == '-' || isDigit(c)) {
      return parseNumber();
    }
    if (c == '"') {
      return parseString();
    }
    if (isTokenStart(c)) {
      return new Token(parseToken());
    }
    if (c == ':') {
      return parseByteSequence();
    }
    if (c == '?') {
      return parseBoolean();
    }
    throw fail("unrecognized parameter value");
  }

  /** RFC 8941 §4.2.4; returns the text, which nothing here needs as a number. */
  private String parseNumber() {
    int start = pos;
    if (input.charAt(pos) == '-') {
      pos++;
    }
    if (atEnd() || !isDigit(input.charAt(pos))) {
      throw fail("expected a digit");
    }
    int digits = 0;
    int dot = -1;
    while (!atEnd()) {
      char c = input.charAt(pos);
      if (isDigit(c)) {
        digits++;
      } else if (c == '.' && dot < 0) {
        if (digits > 12) {
          throw fail("decimal has more than 12 integer digits");
        }
        dot = digits;
      } else {
        break;
      }
      pos++;
      if (dot < 0 && digits > 15) {
        throw fail("integer has more than 15 digits");
      }
    }
    if (dot >= 0) {
      int fraction = digits - dot;
      if (fraction == 0) {
        throw fail("decimal ends with '.'");
      }
      if (fraction > 3) {
        throw fail("decimal has more than 3 fractional digits");
      }
    }
    return input.substring(start, pos);
  }

  /** RFC 8941 §4.2.5. */
  private String parseString() {
    int start = pos;
    pos++; // opening quote
    StringBuilder sb = new StringBuilder();
    while (!atEnd()) {
      char c = input.charAt(pos++);
      if (c == '\\') {
        if (atEnd()) {
          break;
        }
        char next = input.charAt(pos++);
        if (next != '"' && next != '\\') {
          pos -= 2;
          throw fail("invalid escape in string");
        }
        sb.append(next);
      } else if (c == '"') {
        return sb.toString();
      } else if (c < 0x20 || c > 0x7E) {
        pos--;
        throw fail("string contains a character outside printable ASCII");
      } else {
        sb.append(c);
      }
    }
    pos = start;
    throw fail("unterminated string");
  }

  /** RFC 8941 §4.2.6. */
  private String parseToken() {
    int start = pos++;
    while (!atEnd() && isTokenChar(input.charAt(pos))) {
      pos++;
    }
    return input.substring(start, pos);
  }

  /** RFC 8941 §4.2.7; validates the base64 alphabet and returns the encoded text. */
  private String parseByteSequence() {
    int start = ++pos;
    while (!atEnd() && input.charAt(pos) != ':') {
      char c = input.charAt(pos);
      if (!(isAlpha(c) || isDigit(c) || c == '+' || c == '/' || c == '=')) {
        throw fail("byte sequence contains a character outside base64");
      }
      pos++;
    }
    if (atEnd()) {
      pos = start - 1;
      throw fail("unterminated byte sequence");
    }
    return input.substring(start, pos++);
  }

  /** RFC 8941 §4.2.8. */
  private Boolean parseBoolean() {
    pos++;
    if (!atEnd()) {
      char c = input.charAt(pos);
      if (c == '0' || c == '1') {
        pos++;
        return c == '1';
      }
    }
    throw fail("boolean must be ?0 or ?1");
  }

  private boolean atEnd() {
    return pos >= input.length();
  }

  private void skipSpaces() {
    while (!atEnd() && input.charAt(pos) == ' ') {
      pos++;
    }
  }

  private void skipOws() {
    while (!atEnd() && (input.charAt(pos) == ' ' || input.charAt(pos) == '\t')) {
      pos++;
    }
  }

  private MalformedProxyStatusException fail(String problem) {
    return new MalformedProxyStatusException(NAME + ": " + problem + " at offset " + pos);
  }

  /** An RFC 8941 token, kept apart from strings because {@code error} must be one. */
  private record Token(String value) {}
}

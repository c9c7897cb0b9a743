package io.tessera.redis.internal.admin;

/**
 * Writes one JSON document into a string, with the commas placed for the caller: enough for the admin endpoints'
 * small documents, without a JSON library on the server's class path. Strings are escaped as RFC 8259 requires
 * (quote, backslash, control characters), plus U+2028 and U+2029 so the text is also a valid JavaScript literal; a
 * number that is not finite is written as {@code null}. Not thread-safe: one writer per document.
 */
final class JsonWriter {
    private final StringBuilder out = new StringBuilder(256);
    /** Whether the next value is the first in its object or array (or the document), so takes no comma. */
    private boolean first = true;
    /** Whether a name was just written, so the next value is its value and takes no comma. */
    private boolean afterName;

    JsonWriter beginObject() {
        separate();
        out.append('{');
        first = true;
        return this;
    }

    JsonWriter endObject() {
        out.append('}');
        first = false;
        return this;
    }

    JsonWriter beginArray() {
        separate();
        out.append('[');
        first = true;
        return this;
    }

    JsonWriter endArray() {
        out.append(']');
        first = false;
        return this;
    }

    /** The name of the next member of the current object. */
    JsonWriter name(String name) {
        separate();
        quote(name);
        out.append(':');
        afterName = true;
        return this;
    }

    /** A string, or {@code null} for null. */
    JsonWriter value(String value) {
        separate();
        if (value == null) {
            out.append("null");
        } else {
            quote(value);
        }
        return this;
    }

    JsonWriter value(long value) {
        separate();
        out.append(value);
        return this;
    }

    /** A number; NaN and the infinities, which JSON cannot hold, as {@code null}. */
    JsonWriter value(double value) {
        separate();
        if (Double.isFinite(value)) {
            out.append(value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                    : Double.toString(value));
        } else {
            out.append("null");
        }
        return this;
    }

    JsonWriter value(boolean value) {
        separate();
        out.append(value);
        return this;
    }

    JsonWriter nullValue() {
        separate();
        out.append("null");
        return this;
    }

    /** {@code value}, or {@code null} when it is negative: the figures' way of saying "not known (yet)". */
    JsonWriter known(long value) {
        return value < 0 ? nullValue() : value(value);
    }

    /** {@code value}, or {@code null} when it is negative or not a number. */
    JsonWriter known(double value) {
        return value < 0 || Double.isNaN(value) ? nullValue() : value(value);
    }

    private void separate() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (!first) {
            out.append(',');
        }
        first = false;
    }

    private void quote(String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}

package org.memvirt.workload;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits workload shorthand into tokens: words, {@code ;}, new lines, braces and double-quoted words; {@code #}
 * starts a comment that runs to the end of the line.
 */
final class Lexer {

    enum Kind { WORD, SEMI, NEWLINE, LBRACE, RBRACE, END }

    /**
     * One token. {@code start}/{@code end} are offsets in the text; {@code line}/{@code column} are 1-based.
     * For a quoted word {@code value} is the unquoted text.
     */
    record Token(Kind kind, String value, int start, int end, int line, int column) {
        boolean isWord(String word) {
            return kind == Kind.WORD && value.equals(word);
        }

        boolean separates() {
            return kind == Kind.SEMI || kind == Kind.NEWLINE;
        }

        /** How an error message names this token. */
        String shown() {
            return switch (kind) {
                case WORD -> "'" + value + "'";
                case SEMI -> "';'";
                case NEWLINE -> "a new line";
                case LBRACE -> "'{'";
                case RBRACE -> "'}'";
                case END -> "the end of the workload";
            };
        }
    }

    /** A token the lexer could not finish, e.g. an unterminated quote. */
    static final class LexError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int line, column, start;

        LexError(String message, int line, int column, int start) {
            super(message, null, false, false);
            this.line = line;
            this.column = column;
            this.start = start;
        }
    }

    private final String text;
    private int pos;
    private int line = 1;
    private int lineStart;

    private Lexer(String text) {
        this.text = text;
    }

    static List<Token> tokens(String text) {
        return new Lexer(text).all();
    }

    private List<Token> all() {
        List<Token> tokens = new ArrayList<>();
        while (true) {
            skipBlanksAndComments();
            if (pos >= text.length()) {
                tokens.add(token(Kind.END, "", pos, pos));
                return tokens;
            }
            char c = text.charAt(pos);
            int start = pos;
            switch (c) {
                case '\n' -> {
                    tokens.add(token(Kind.NEWLINE, "\n", start, ++pos));
                    line++;
                    lineStart = pos;
                }
                case ';' -> tokens.add(token(Kind.SEMI, ";", start, ++pos));
                case '{' -> tokens.add(token(Kind.LBRACE, "{", start, ++pos));
                case '}' -> tokens.add(token(Kind.RBRACE, "}", start, ++pos));
                case '"' -> tokens.add(quoted(start));
                default -> tokens.add(word(start));
            }
        }
    }

    private void skipBlanksAndComments() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '#') {
                while (pos < text.length() && text.charAt(pos) != '\n') pos++;
            } else if (c != '\n' && Character.isWhitespace(c)) {
                pos++;
            } else {
                return;
            }
        }
    }

    private Token word(int start) {
        while (pos < text.length() && !ends(text.charAt(pos))) pos++;
        return token(Kind.WORD, text.substring(start, pos), start, pos);
    }

    private static boolean ends(char c) {
        return Character.isWhitespace(c) || c == ';' || c == '{' || c == '}' || c == '#' || c == '"';
    }

    private Token quoted(int start) {
        StringBuilder value = new StringBuilder();
        pos++;
        while (pos < text.length() && text.charAt(pos) != '"' && text.charAt(pos) != '\n') {
            char c = text.charAt(pos++);
            if (c == '\\' && pos < text.length() && (text.charAt(pos) == '"' || text.charAt(pos) == '\\')) c = text.charAt(pos++);
            value.append(c);
        }
        if (pos >= text.length() || text.charAt(pos) != '"') {
            throw new LexError("unterminated quoted word", line, start - lineStart + 1, start);
        }
        pos++;
        return token(Kind.WORD, value.toString(), start, pos);
    }

    private Token token(Kind kind, String value, int start, int end) {
        return new Token(kind, value, start, end, line, start - lineStart + 1);
    }
}

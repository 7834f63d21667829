package org.memvirt.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into words as a POSIX shell does (XCU 2.2 Quoting, 2.3 Token Recognition): blanks separate
 * words, 'single quotes' keep everything literally, "double quotes" keep all but backslash before {@code " \ $ `},
 * a backslash outside quotes escapes the next character, and {@code #} at the start of a word begins a comment.
 * No expansion of any kind. Used for {@code run --compare} values and by the tests that replay command lines.
 */
public final class ShellWords {
    /** Splits a command line as a POSIX shell would, for words, 'single' and "double" quotes and backslashes. */
    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) throw new IllegalArgumentException("unclosed ' in '" + line + "'");
                word.append(line, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                for (i++; i < line.length() && line.charAt(i) != '"'; i++) {
                    char d = line.charAt(i);
                    if (d == '\\' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) d = line.charAt(++i);
                    word.append(d);
                }
                if (i == line.length()) throw new IllegalArgumentException("unclosed \" in '" + line + "'");
                inWord = true;
            } else if (c == '\\' && i + 1 < line.length()) {
                word.append(line.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) words.add(word.toString());
                word.setLength(0);
                inWord = false;
            } else if (c == '#' && !inWord) {
                break;                                             // a comment
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) words.add(word.toString());
        return words;
    }

    private ShellWords() {}
}

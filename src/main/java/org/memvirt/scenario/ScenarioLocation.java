package org.memvirt.scenario;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.memvirt.workload.LocatedTree;

/**
 * Puts {@code FILE:LINE:COLUMN} in front of a scenario error, from the field path the error starts with
 * ({@code vms[1].oom_score_adj: ...}, {@code vms[0].workload: step 3: ...}): the node the path leads to, or the
 * deepest one of it that the file has (a missing field points at its parent).
 */
final class ScenarioLocation {
    private static final Pattern PATH = Pattern.compile(
            "^([A-Za-z_][A-Za-z0-9_]*(?:\\[\\d{1,9}])*(?:\\.[A-Za-z_][A-Za-z0-9_]*(?:\\[\\d{1,9}])*)*)");
    /** A workload's own error inside a scenario: {@code PATH: step N:LINE:COLUMN: REST}, the position inside the op text. */
    private static final Pattern STEP = Pattern.compile("^(.*?): step (\\d{1,9})(?::(\\d{1,9}):(\\d{1,9}))?: (.*)$",
            Pattern.DOTALL);

    static ScenarioException of(ScenarioException e, LocatedTree document, String file) {
        return new ScenarioException(located(e.getMessage(), document, file));
    }

    static String located(String message, LocatedTree document, String file) {
        Matcher step = STEP.matcher(message);
        if (step.matches() && PATH.matcher(step.group(1)).matches()) {
            String path = step.group(1) + "[" + (Long.parseLong(step.group(2)) - 1) + "]";
            LocatedTree node = document.at(path);
            String where = node.where(file);
            if (step.group(3) != null && node instanceof LocatedTree.Scalar && node.line() > 0) {
                int line = Integer.parseInt(step.group(3)), column = Integer.parseInt(step.group(4));
                where = file + ":" + (node.line() + line - 1) + ":" + (line == 1 ? node.column() + column - 1 : column);
            }
            return where + ": " + path + ": " + step.group(5);
        }
        Matcher m = PATH.matcher(message);
        return document.at(m.find() ? m.group(1) : "").where(file) + ": " + message;
    }

    private ScenarioLocation() {}
}

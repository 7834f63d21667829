package org.memvirt.sweep;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * A study as text: the study file and every file it names, so that a Spark executor on another machine builds
 * exactly the hosts the driver would, without reading the driver's files.
 *
 * @param studyFile the study file's path as the user gave it (for messages)
 * @param studyText its text
 * @param scenarioFile the base scenario's path
 * @param scenarioText its text
 * @param fleetTexts each fleet CSV's text, by the path the study names it with
 */
public record StudySource(String studyFile, String studyText, String scenarioFile, String scenarioText,
        Map<String, String> fleetTexts) implements Serializable {
    private static final long serialVersionUID = 1L;

    public StudySource {
        fleetTexts = new TreeMap<>(fleetTexts);
    }

    /** Whether the study file is JSON (by its name), as the loader reads it. */
    boolean json() {
        return studyFile.toLowerCase(java.util.Locale.ROOT).endsWith(".json");
    }
}

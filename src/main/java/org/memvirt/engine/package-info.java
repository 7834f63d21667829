/**
 * Owns the seam between the CLI and the engines: {@code Engine}, {@code Scenario}, {@code RunResult}, counters named as KVM's binary stats, timeline sampling. Must not contain engine logic.
 */
package org.memvirt.engine;

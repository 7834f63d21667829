/**
 * Owns argument handling and wiring: picocli commands that turn options into specs, let
 * {@link org.memvirt.engine.Engines} choose the engine, and hand its result to the report package. Must not contain
 * engine or model logic, or name an engine implementation. The only package that prints errors or chooses exit codes.
 */
package org.memvirt.cli;

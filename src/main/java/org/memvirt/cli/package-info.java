/**
 * Owns argument handling and wiring: picocli commands that call the other packages and print their results.
 * Must not contain engine or model logic. The only package that prints errors or chooses exit codes.
 */
package org.memvirt.cli;

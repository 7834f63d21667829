/**
 * Owns rendering of what the engines report: free-style tables, counter tables, the text of run and scenario results,
 * JSON with stable snake_case names, HTML with SVG charts. Must not compute what the engines should own.
 */
package org.memvirt.report;

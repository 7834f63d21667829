/**
 * Owns rendering: free-style tables, counter tables, JSON with stable snake_case names, HTML with SVG charts. Must not compute what the engines should own.
 */
package org.memvirt.report;

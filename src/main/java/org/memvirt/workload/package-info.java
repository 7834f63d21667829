/**
 * Owns the workload op language shared by both engines: the ops, their parsing from YAML/JSON or a CLI shorthand, generators and trace import. Must not depend on an engine.
 */
package org.memvirt.workload;

/**
 * Owns multi-VM overcommit scenarios: the scenario file model and its validation, and the runner that drives each
 * VM's workload page by page against the simulated host memory in virtual time, with balloon policies, sampling and
 * events. Must not print (the cli does) or model the MMU (scenarios run at page granularity).
 */
package org.memvirt.scenario;

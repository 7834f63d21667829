/**
 * Owns multi-VM overcommit scenarios: the scenario file model and its validation, and the runner that drives each
 * VM's workload page by page against the simulated host memory in virtual time, with balloon policies, sampling and
 * events; and the kvm path, which checks a scenario against this host and runs its VMs for real through the kvm
 * package's scenario runner, reporting in the same shape. Must not print (the cli does) or model the MMU (scenarios run at page granularity).
 */
package org.memvirt.scenario;

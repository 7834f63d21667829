/**
 * Owns the qemu engine's guest image: Debian's kernel and busybox fetched and unpacked with Debian's package tools,
 * the modules' load order, the uncompressed kernel, the initramfs with memvirt's agent, the per-user cache and the
 * kernel command line the image expects. Must not install packages, need root, or leave a half-written image behind.
 */
package org.memvirt.image;

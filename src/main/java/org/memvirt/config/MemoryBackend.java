package org.memvirt.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The host memory backend of guest RAM (qemu backends/hostmem.c and its ram/file/memfd subclasses).
 *
 * @param id the object id ({@code pc.ram} for the default backend)
 * @param kind {@code memory-backend-ram}, {@code memory-backend-file} or {@code memory-backend-memfd}
 * @param size bytes
 * @param share MAP_SHARED instead of MAP_PRIVATE
 * @param prealloc touch every page up front
 * @param reserve reserve swap space (off means MAP_NORESERVE)
 * @param merge MADV_MERGEABLE (KSM)
 * @param memPath the backing file or directory (file backend), else null
 * @param hugetlb memfd on hugetlbfs
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MemoryBackend(String id, String kind, long size, boolean share, boolean prealloc, boolean reserve,
        boolean merge, String memPath, Boolean hugetlb) {}

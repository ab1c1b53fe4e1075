package dev.canopy.executor.cuda;

/**
 * Device memory as the driver reports it now.
 *
 * @param freeBytes  bytes not allocated by anyone
 * @param totalBytes bytes on the device
 */
public record MemoryInfo(long freeBytes, long totalBytes) {}

import CMalloc

/// How flowrun asks glibc's malloc to keep freed memory for reuse.
///
/// A pipeline frees and allocates the same large blocks over and over: a batch's positions (about 1 MB at
/// `batch.max` 5,000), a `COPY`'s data, a page of stream entries. By default glibc gives the free top of a
/// heap back to the kernel, so the next batch faults its pages in again, each zeroed by the kernel: about
/// 1.5 % of durable-write's CPU at a million entries (`perf record`). Raising the trim threshold keeps up
/// to 64 MiB free per heap. Setting it turns off glibc's moving of the mmap threshold, so that is set too:
/// blocks up to 32 MiB (the moving threshold's own upper bound) come from the heaps, not from a mapping of
/// their own each time.
enum MemoryTuning {
    static func keepFreedMemory() {
        _ = mallopt(flowrun_m_mmap_threshold, 32 << 20)
        _ = mallopt(flowrun_m_trim_threshold, 64 << 20)
    }
}

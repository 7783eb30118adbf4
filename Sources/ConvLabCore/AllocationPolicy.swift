import CConvLabSupport
import Foundation

/// How the program asks glibc to treat large freed blocks.
///
/// Every training step allocates the same tensors again (activations, gradients: 1.2 MiB each
/// for LeNet's C1 on a batch of 64). glibc serves blocks above its mmap threshold (128 KiB at
/// start) with fresh mappings and unmaps them on free, and trims the heap's top, so each step
/// page-faults its tensors back in, zero-filled by the kernel: perf put 15% of a LeNet-5 step in
/// page faults, page clearing and unmapping (23 757 minor faults in `bench lenet` against 4 729
/// with the thresholds below; both are needed). Fixed thresholds keep freed memory in the process for the next
/// step; peak memory is unchanged, since the same sizes come back.
public enum AllocationPolicy {
  /// Blocks up to this size come from the heap (glibc's largest allowed mmap threshold).
  public static let mmapThreshold: Int32 = 32 << 20
  /// Free memory at the heap's top up to this size stays in the process.
  public static let trimThreshold: Int32 = 256 << 20

  /// Sets glibc's mmap and trim thresholds (`mallopt`); a user's `MALLOC_MMAP_THRESHOLD_` or
  /// `MALLOC_TRIM_THRESHOLD_` wins. No effect where the C library is not glibc.
  public static func retainFreedMemory() {
    let env = ProcessInfo.processInfo.environment
    _ = convlab_set_malloc_thresholds(env["MALLOC_MMAP_THRESHOLD_"] == nil ? mmapThreshold : 0, env["MALLOC_TRIM_THRESHOLD_"] == nil ? trimThreshold : 0)
  }
}

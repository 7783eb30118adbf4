import CConvLabSupport
import ConvLabCore

/// The Float32 conv forward pass for GEMM-bound layers (many taps per pixel, as Milisavljevic's
/// 3×3×64 → 64 or a VGG layer): the same product y = φ(x) F (Milisavljevic (1)–(2), MatConvNet
/// §6.1), computed one block of patch rows at a time. Each block of φ (about 64 patches × H′W′D
/// taps, ~150 KB) is written by im2row into a buffer that stays in the core's L2 cache and is
/// multiplied there at once by ConvLab's AVX2 GEMM micro-kernel (`CConvLabSupport/sgemm.c`),
/// bias included; the block's rows of y then go to their images.
///
/// Why not im2row + OpenBLAS (`Conv.Kernel.gemm`, the teaching path): with only 64 or 128
/// filters, F is a skinny right-hand side, and OpenBLAS 0.3.21 multiplies (19 600 × 576)·(576 × 64)
/// at about half its large-square rate on this project's machine; and the batch's whole patch
/// matrix (45 MB for Milisavljevic's layer, 9× the input) goes out to memory and back. Here no
/// patch leaves the cache, F is packed once per call, and the two cores take blocks in turn.
///
/// Needs AVX2 + FMA (`available`); `Conv` uses im2row + OpenBLAS elsewhere, and for Float64,
/// which stays BLAS-backed.
enum BlockedConvolution {
  /// Whether the micro-kernel runs on this CPU.
  static var available: Bool { convlab_sgemm_has_microkernel() != 0 }

  /// Patch rows per block: a multiple of the micro-kernel's 16-row tile, sized so that a block
  /// (rows × H′W′D floats) is at most 160 KB, a third of a Zen 3 core's 512 KB L2, leaving room
  /// for the packed filters (147 KB for 576 × 64). 64 rows for a 3×3×64 layer; measured there,
  /// 48 to 128 rows are within the machine's noise of each other and 32 or 256 are slower.
  static func blockRows(patchCount: Int, taps: Int) -> Int {
    let target = max(16, min(256, (40 * 1024 / max(1, taps)) / 16 * 16))
    return min(target, (patchCount + 15) / 16 * 16)
  }

  static func forward(
    _ x: Tensor<Float>, filters f: Tensor<Float>, bias: Tensor<Float>?, patches: PatchMatrix,
    groups: Int, output yShape: Shape
  ) -> Tensor<Float> {
    if WholeInputConvolution.handles(patches) {
      return WholeInputConvolution.forward(x, filters: f, bias: bias, groups: groups, output: yShape)
    }
    if ShiftedConvolution.handles(patches) {
      return ShiftedConvolution.forward(x, filters: f, bias: bias, patches: patches, groups: groups, output: yShape)
    }
    let (rows, cols, perGroup) = (patches.rows, patches.cols, f.shape.n / groups)
    if DirectChannelConvolution.handlesStrided(filtersPerGroup: perGroup) {
      return DirectChannelConvolution.forward(x, filters: f, bias: bias, patches: patches, groups: groups, output: yShape)
    }
    // Blocks run over the patch rows of all images in turn (a block may end in one image and go
    // on in the next), so that only the batch's last 16-row tile is partial.
    let (total, block) = (x.shape.n * rows, blockRows(patchCount: x.shape.n * rows, taps: cols))
    let blocks = (total + block - 1) / block
    let packedCount = convlab_sgemm_packed_count(cols, perGroup)
    let plan = patches.plan()  // im2row's fills, the same for every image and channel; each block clips them
    return Workspace.shared.withBuffer(packedCount * groups, of: Float.self) { packed in
      packFilters(f, groups: groups, into: packed)
      let biasStorage = bias?.storage ?? []
      return Tensor(shape: yShape) { yp in
        x.storage.withUnsafeBufferPointer { xp in
          biasStorage.withUnsafeBufferPointer { bp in
            guard let xr = SendableRef(xp), let yr = SendableRef(yp) else { return }
            // An empty array may still have a base address: no bias is a nil pointer.
            let (filters, biasRef) = (SendableRef(packed), bias == nil ? nil : SendableRef(bp))
            // Work items (group, block), handed to the cores a few at a time.
            Parallel.forEachDynamic(groups * blocks, grain: 4) { next in
              Workspace.shared.withBuffer(block * cols, of: Float.self) { phi in
                Workspace.shared.withBuffer(block * perGroup, of: Float.self) { out in
                  while let items = next() {
                    for item in items {
                      let (group, index) = item.quotientAndRemainder(dividingBy: blocks)
                      let span = (index * block)..<min(total, (index + 1) * block)
                      forEachImage(in: span, rows: rows) { image, window, offset in
                        patches.im2row(
                          xr.pointer + x.shape.index(0, 0, group * f.shape.d, image), plan: plan, rows: window,
                          into: phi + offset, ld: block)
                      }
                      convlab_sgemm_packed(
                        span.count, perGroup, cols, phi, block, filters.pointer + group * packedCount,
                        biasRef.map { $0.pointer + group * perGroup }, out, block)
                      forEachImage(in: span, rows: rows) { image, window, offset in
                        for k in 0..<perGroup {
                          (yr.pointer + yShape.index(window.lowerBound, 0, group * perGroup + k, image))
                            .update(from: out + k * block + offset, count: window.count)
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /// F of each group (H′W′D′ × K/g, the right-hand side of y = φ(x) F), packed into the
  /// micro-kernel's 6-column panels, group after group.
  static func packFilters(_ f: Tensor<Float>, groups: Int, into packed: UnsafeMutablePointer<Float>) {
    let (cols, perGroup) = (f.shape.h * f.shape.w * f.shape.d, f.shape.n / groups)
    let count = convlab_sgemm_packed_count(cols, perGroup)
    f.storage.withUnsafeBufferPointer { fp in
      guard let fb = fp.baseAddress else { return }
      for group in 0..<groups { convlab_sgemm_pack(fb + cols * group * perGroup, cols, cols, perGroup, packed + group * count) }
    }
  }

  /// The parts of rows `span` of the batch's stacked patch rows: image, its patch rows, and
  /// their offset in the block.
  @inline(__always)
  static func forEachImage(in span: Range<Int>, rows: Int, _ body: (_ image: Int, _ window: Range<Int>, _ offset: Int) -> Void) {
    var p = span.lowerBound
    while p < span.upperBound {
      let (image, first) = p.quotientAndRemainder(dividingBy: rows)
      let window = first..<min(rows, first + span.upperBound - p)
      body(image, window, p - span.lowerBound)
      p += window.count
    }
  }
}

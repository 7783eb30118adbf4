import CConvLabSupport
import ConvLabCore

/// The Float32 forward pass with the filters in the SIMD lanes (`CConvLabSupport/direct.c`), for
/// layers whose filter count per group is a multiple of 16 on CPUs with AVX2 + FMA: MatConvNet
/// §4.1's sum
///
///     y_{i″j″k} = b_k + Σ_{i′j′d} f_{i′j′dk} x_{S_h i″ + D_h i′ − P_t, S_w j″ + D_w j′ − P_l, d}
///
/// with 16 filters per AVX-512 vector (per two AVX2 vectors): for each tap and channel one vector
/// of filter entries is multiplied by the input value of each of up to 12 (AVX2: 6) output pixels
/// of a column (a broadcast) and added to their accumulators. Each image is first laid out pixel
/// by pixel with its padding (channels contiguous), so a tile's inputs are loads a stride apart.
///
/// Why beside the shifted GEMM (`ShiftedConvolution`): y = φ(x)F in 32-row × 6-column tiles
/// computes and drops the rows between two output columns and rounds both sides up to whole
/// tiles — LeNet's C3 fills 100 of 160 rows and 16 of 18 columns, Milisavljevic's 14 × 14 "same"
/// layer 196 of 224 rows — where this kernel wastes nothing when the filters fill whole vectors.
/// Used for stride-1 layers (`ShiftedConvolution.forward` hands them over), so for their dz/dx
/// too (the forward pass of dz/dy with rot180 of the filters, Xu (16)) where the layer's input
/// depth per group is a multiple of 16.
enum DirectChannelConvolution {
  /// Whether the kernel runs on this CPU (AVX2 + FMA; AVX-512 where the CPU has it).
  static var available: Bool { convlab_direct_available() != 0 }

  /// Whether it computes a layer with `perGroup` filters per group: whole 16-filter vectors.
  static func handles(filtersPerGroup perGroup: Int) -> Bool { available && perGroup % 16 == 0 }

  /// Whether it computes a strided layer (or one `ShiftedConvolution` declines) with `perGroup`
  /// filters per group, in place of im2row blocks: with AVX2 only, where it was measured faster
  /// (the 7 × 7 stride-2 stem on 3 channels, 64 filters, batch 16, two binaries alternating on the
  /// 2-core machine: 9.6–12.3 ms against 10.9–13.5 ms for the im2row blocks; one core, C harness:
  /// 76 GFLOP/s, 82% of the FMA peak). With AVX-512 those layers keep the im2row blocks, measured
  /// 2.3–2.6× oneDNN there (Docs/performance.md).
  static func handlesStrided(filtersPerGroup perGroup: Int) -> Bool { convlab_direct_isa() == 1 && perGroup % 16 == 0 }

  static func forward(
    _ x: Tensor<Float>, filters f: Tensor<Float>, bias: Tensor<Float>?, patches: PatchMatrix, groups: Int,
    output yShape: Shape
  ) -> Tensor<Float> {
    let g = patches.geometry
    let (top, left) = (g.rows.padBefore, g.cols.padBefore)
    let (ph, pw) = (x.shape.h + top + g.rows.padAfter, x.shape.w + left + g.cols.padAfter)
    let (spatial, groupDepth, perGroup, images) = (f.shape.h * f.shape.w, f.shape.d, f.shape.n / groups, x.shape.n)
    // Tap (i′, j′)'s offset in the pixel-major padded image, in floats.
    let offsets = ShiftedConvolution.spatialOffsets(patches, paddedHeight: ph).map { $0 * groupDepth }
    let packedCount = convlab_direct_packed_count(spatial, groupDepth, perGroup)
    let (stepH, stepW) = (g.rows.stride, g.cols.stride)
    return Workspace.shared.withBuffer(packedCount * groups, of: Float.self) { packed in
      f.storage.withUnsafeBufferPointer { fs in
        guard let fb = fs.baseAddress else { return }
        for group in 0..<groups {
          convlab_direct_pack(fb + spatial * groupDepth * perGroup * group, spatial, groupDepth, perGroup, packed + group * packedCount)
        }
      }
      let biasStorage = bias?.storage ?? []
      return Tensor(shape: yShape) { yp in
        x.storage.withUnsafeBufferPointer { xs in
          biasStorage.withUnsafeBufferPointer { bs in
            offsets.withUnsafeBufferPointer { os in
              guard let input = SendableRef(xs), let output = SendableRef(yp), let taps = SendableRef(os) else { return }
              // An empty array may still have a base address: no bias is a nil pointer.
              let (filters, biasRef) = (SendableRef(packed), bias == nil ? nil : SendableRef(bs))
              // Work items (image, group), handed to the cores a few at a time.
              Parallel.forEachDynamic(images * groups, grain: 2) { next in
                Workspace.shared.withBuffer(ph * pw * groupDepth, of: Float.self) { padded in
                  while let items = next() {
                    for item in items {
                      let (image, group) = item.quotientAndRemainder(dividingBy: groups)
                      convlab_direct_layout(
                        input.pointer + x.shape.index(0, 0, group * groupDepth, image), x.shape.h, x.shape.w, groupDepth, top, left, ph, pw,
                        padded)
                      convlab_direct_conv_image(
                        -1, patches.outH, patches.outW, stepH, stepW, ph, groupDepth, f.shape.h, spatial, taps.pointer, padded,
                        filters.pointer + group * packedCount, perGroup, biasRef.map { $0.pointer + group * perGroup },
                        output.pointer + yShape.index(0, 0, group * perGroup, image))
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

extension Conv {
  /// What the Float32 fast path runs on this CPU, one line per kernel family (`convlab info`):
  /// the kernels are chosen at run time from the CPU's features.
  public static var float32Kernels: [String] {
    guard BlockedConvolution.available else { return ["im2row + OpenBLAS (no AVX2 + FMA: no micro-kernel here)"] }
    let tile = convlab_sgemm_isa() == 2 ? "AVX-512 32 × 6 tile" : "AVX2 16 × 6 tile"
    var lines: [String] = []
    if DirectChannelConvolution.available {
      lines.append(
        convlab_direct_isa() == 2
          ? "direct: 16 filters per AVX-512 vector (stride 1, 16k filters)"
          : "direct: 16 filters in two AVX2 vectors (16k filters, any stride)")
    }
    lines.append("GEMM micro-kernel, \(tile): stride 1 in place,")
    lines.append("  strided layers on im2row blocks, input-sized filters over")
    lines.append("  the batch, dz/dF one product per filter tap")
    lines.append("dz/dF with fewer than 32 channels: sums along the rows")
    return lines
  }
}

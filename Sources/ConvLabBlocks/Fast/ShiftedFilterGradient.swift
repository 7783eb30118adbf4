import CConvLabSupport
import ConvLabCore

extension ShiftedConvolution {
  /// Input channels per group from which the per-tap filter gradient below is used: its products
  /// have D′ rows, and below one 32-row AVX-512 tile most of each tile would be padding (LeNet's
  /// C1 and C3, 1 and 6 channels, go to `fewChannelFilterGradient`).
  static let filterGradientDepth = 32

  /// The offset o(i′, j′) = D_h i′ + H_p D_w j′ of each spatial tap in a padded channel stored
  /// column by column, in the filters' order i′ + H′j′.
  static func spatialOffsets(_ patches: PatchMatrix, paddedHeight ph: Int) -> [Int] {
    let g = patches.geometry
    var shifts: [Int] = []
    for j1 in 0..<g.cols.size {
      for i1 in 0..<g.rows.size { shifts.append(g.rows.dilation * i1 + ph * g.cols.dilation * j1) }
    }
    return shifts
  }

  /// dz/dF of a stride-1 layer with many channels, without a patch matrix. For spatial tap
  /// (i′, j′), Xu (13)'s correlation of the input with the error,
  ///
  ///     dz/df_{i′ j′ d k} = Σ_n Σ_t x_{t + o(i′, j′), d, n} dy_{t, k, n}     (o = D_h i′ + H_p D_w j′),
  ///
  /// over the output pixels t = i″ + H_p j″ (i″ < H″) of the padded image, is one product
  /// (D′ × H″W″)·(H″W″ × K) whose left factor is the image stored pixel by pixel (channels
  /// contiguous, x̃[t·D′ + d]) and started o(i′, j′) pixels later, its columns read through the
  /// offsets of the output pixels (`convlab_sgemm_shifted_add`: the rows between two output
  /// columns are skipped, not multiplied by zeros — an infinity there would have made a NaN). So
  /// each image is transposed once and dy packed once, and the H′W′ products then run over pieces
  /// of up to 256 of the H″W″ rows (784 = 4 × 196 for a 28×28 "same" layer) with the
  /// micro-kernel's accumulators in registers, where the blocked φᵀ dY reloads its whole D′H′W′ × K
  /// partial sum for every 32-row block.
  ///
  /// Images are split into fixed runs whose partial sums are added in run order (as
  /// `BlockedBackward`): the same bits whichever core ran which run. Fewer channels go to
  /// `fewChannelFilterGradient`. nil where the layer is not stride 1 (or, with few channels, drops
  /// more than half its rows: `handles`) or the micro-kernel does not run here.
  static func filterGradient(_ x: Tensor<Float>, filters fShape: Shape, _ dzdy: Tensor<Float>, patches: PatchMatrix, groups: Int) -> Tensor<Float>? {
    let g = patches.geometry
    let depth = fShape.d
    guard g.rows.stride == 1, g.cols.stride == 1, BlockedConvolution.available else { return nil }
    if depth < filterGradientDepth {
      return handles(patches) ? fewChannelFilterGradient(x, filters: fShape, dzdy, patches: patches, groups: groups) : nil
    }
    let (top, left) = (g.rows.padBefore, g.cols.padBefore)
    let (h, w, images) = (x.shape.h, x.shape.w, x.shape.n)
    let (ph, pw) = (h + top + g.rows.padAfter, w + left + g.cols.padAfter)
    let (outH, outW, perGroup) = (patches.outH, patches.outW, fShape.n / groups)
    let (plane, rows, spatial) = (ph * pw, outH * outW, fShape.h * fShape.w)
    let shifts = spatialOffsets(patches, paddedHeight: ph)
    // Output pixel p = i″ + H″ j″ sits at t = i″ + H_p j″ of the padded image: x̃'s column p.
    let rowOffsets = (0..<rows).map { p in (p % outH + ph * (p / outH)) * depth }
    let runs = min(BlockedBackward.chunks, images)
    let tapBlock = depth * perGroup  // one spatial tap's D′ × K partial
    let partialCount = groups * spatial * tapBlock  // one run's
    // The products' inner dimension, the output pixels, in pieces of at most `chunkRows`: a piece's
    // 6-column panel of dy stays in L1 and its rows of x̃ in L2 (VGG-like 56 × 56 layer, one
    // core, AVX2: 47 GFLOP/s over all 3 136 rows at once, 70 in 13 pieces).
    let pieceCount = (rows + chunkRows - 1) / chunkRows
    let piece = (rows + pieceCount - 1) / pieceCount
    let packedCount = convlab_sgemm_packed_count(piece, perGroup)
    return Workspace.shared.withBuffer(partialCount * runs, of: Float.self) { partials in
      partials.update(repeating: 0, count: partialCount * runs)
      x.storage.withUnsafeBufferPointer { xs in
        dzdy.storage.withUnsafeBufferPointer { gs in
          rowOffsets.withUnsafeBufferPointer { rs in
            guard let input = SendableRef(xs), let gradient = SendableRef(gs), let pixels = SendableRef(rs) else { return }
            let sums = SendableRef(partials)
            Parallel.forEachDynamic(runs, grain: 1) { next in
              Workspace.shared.withBuffer(plane * depth, of: Float.self) { xt in
                Workspace.shared.withBuffer(packedCount, of: Float.self) { packed in
                  while let items = next() {
                    for run in items {
                      for image in (run * images / runs)..<((run + 1) * images / runs) {
                        for group in 0..<groups {
                          // x̃[t·D′ + d]: the padded image pixel by pixel, zeros in the padding (the
                          // direct kernel's layout).
                          convlab_direct_layout(input.pointer + x.shape.index(0, 0, group * depth, image), h, w, depth, top, left, ph, pw, xt)
                          let target = sums.pointer + run * partialCount + group * spatial * tapBlock
                          for first in stride(from: 0, to: rows, by: piece) {
                            let m = min(piece, rows - first)
                            // dy's pixels first ..< first + m as m × K in the micro-kernel's 6-column
                            // panels (m × 6 floats each, pixel p at 6p), 0 past the last filter.
                            packed.update(repeating: 0, count: convlab_sgemm_packed_count(m, perGroup))
                            for k in 0..<perGroup {
                              let error = gradient.pointer + dzdy.shape.index(0, 0, group * perGroup + k, image) + first
                              let panel = packed + (k / 6) * 6 * m + k % 6
                              for p in 0..<m { panel[6 * p] = error[p] }
                            }
                            for s in 0..<spatial {
                              convlab_sgemm_shifted_add(
                                -1, depth, perGroup, m, xt + shifts[s] * depth, pixels.pointer + first, packed, target + s * tapBlock, depth)
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
      // dz/dw[i′ + H′(j′ + W′d), k] = Σ over runs, in run order.
      return Tensor(shape: fShape) { dw in
        let taps = spatial * depth
        for group in 0..<groups {
          for k in 0..<perGroup {
            for d in 0..<depth {
              for s in 0..<spatial {
                var sum: Float = 0
                for run in 0..<runs { sum += partials[run * partialCount + (group * spatial + s) * tapBlock + d + k * depth] }
                dw[s + spatial * d + taps * (group * perGroup + k)] = sum
              }
            }
          }
        }
      }
    }
  }

  /// dz/dF of a stride-1 layer with fewer than `filterGradientDepth` channels per group (LeNet's
  /// C1 and C3): Xu (13)'s correlation of the input with the error,
  ///
  ///     dz/df_{i′ j′ d k} = Σ_n Σ_t x̄_{n,d}[t + o(i′, j′)] δ̄_{n,k}[t],
  ///
  /// summed along the rows t by `convlab_shifted_correlate` (`CConvLabSupport/correlate.c`), 16
  /// rows per SIMD step. x̄_{n,d} is channel d of image n padded (H_p × W_p, column by column,
  /// then zeros for the last tap's overrun), δ̄_{n,k} is output k's error on the same rows t =
  /// i″ + H_p j″ (0 where i″ ≥ H″ and past the last output). With D′ × K this small, the GEMM form
  /// φᵀ dY gives the micro-kernel 6 or 16 rows for a 32-row tile; summing along t instead keeps
  /// every lane busy and needs no patch matrix. Runs of images and their partial sums as above, so
  /// the result is the same whichever core ran which run.
  static func fewChannelFilterGradient(_ x: Tensor<Float>, filters fShape: Shape, _ dzdy: Tensor<Float>, patches: PatchMatrix, groups: Int) -> Tensor<Float> {
    let g = patches.geometry
    let (top, left) = (g.rows.padBefore, g.cols.padBefore)
    let (h, w, images, depth) = (x.shape.h, x.shape.w, x.shape.n, fShape.d)
    let ph = h + top + g.rows.padAfter
    let plane = ph * (w + left + g.cols.padAfter) + 16  // o(i′, j′) + length ≤ H_p W_p + 15: the last tap's last read
    let (outH, outW, perGroup) = (patches.outH, patches.outW, fShape.n / groups)
    let length = ((outW - 1) * ph + outH + 15) / 16 * 16  // the rows t, a whole number of 16-row steps
    let (spatial, taps) = (fShape.h * fShape.w, fShape.h * fShape.w * depth)
    let shifts = spatialOffsets(patches, paddedHeight: ph)
    let runs = min(BlockedBackward.chunks, images)
    let most = (images + runs - 1) / runs  // images in the longest run
    let partialCount = taps * fShape.n  // one run's dz/dF, laid out as dz/dw
    return Workspace.shared.withBuffer(partialCount * runs, of: Float.self) { partials in
      partials.update(repeating: 0, count: partialCount * runs)
      x.storage.withUnsafeBufferPointer { xs in
        dzdy.storage.withUnsafeBufferPointer { gs in
          shifts.withUnsafeBufferPointer { ss in
            guard let input = SendableRef(xs), let gradient = SendableRef(gs), let offsets = SendableRef(ss) else { return }
            let sums = SendableRef(partials)
            Parallel.forEachDynamic(runs, grain: 1) { next in
              Workspace.shared.withBuffer(most * depth * plane, of: Float.self) { xt in
                Workspace.shared.withBuffer(most * perGroup * length, of: Float.self) { dyt in
                  while let items = next() {
                    for run in items {
                      let first = run * images / runs
                      let count = (run + 1) * images / runs - first
                      for group in 0..<groups {
                        xt.update(repeating: 0, count: count * depth * plane)
                        dyt.update(repeating: 0, count: count * perGroup * length)
                        for m in 0..<count {
                          for d in 0..<depth {
                            let channel = input.pointer + x.shape.index(0, 0, group * depth + d, first + m)
                            let padded = xt + (m * depth + d) * plane + left * ph + top
                            for c in 0..<w { (padded + c * ph).update(from: channel + c * h, count: h) }
                          }
                          for k in 0..<perGroup {
                            let error = gradient.pointer + dzdy.shape.index(0, 0, group * perGroup + k, first + m)
                            let spread = dyt + (m * perGroup + k) * length
                            for j in 0..<outW { (spread + j * ph).update(from: error + j * outH, count: outH) }
                          }
                        }
                        let target = sums.pointer + run * partialCount + group * perGroup * taps
                        for d in 0..<depth {
                          convlab_shifted_correlate(
                            -1, count, length, xt + d * plane, depth * plane, offsets.pointer, spatial, dyt, perGroup * length, length,
                            perGroup, target + spatial * d, taps)
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
      return Tensor(shape: fShape) { dw in
        for index in 0..<partialCount {
          var sum: Float = 0
          for run in 0..<runs { sum += partials[run * partialCount + index] }
          dw[index] = sum
        }
      }
    }
  }
}

import CConvLabSupport
import ConvLabCore
import ConvLabNotation

/// The Float32 forward pass of stride-1 layers with no patch matrix at all: y = φ(x) F
/// (Milisavljevic (1)–(2), MatConvNet §6.1) where φ is read from the input in place.
///
/// With stride 1, patch p = i″ + H_p j″ of a (padded, H_p × W_p) image and tap (i′, j′, d) reads
/// x at i″ + D_h i′ + H_p (j″ + D_w j′) + H_p W_p d = p + o(i′, j′, d): every column of φ is the
/// image itself, shifted by the tap's offset o — MatConvNet §4.1's sum
///
///     y_{i″j″k} = b_k + Σ_{i′j′d} f_{i′j′dk} x_{i″+D_h i′, j″+D_w j′, d}
///
/// read as a product whose left factor's column (i′, j′, d) starts at x + o(i′, j′, d). The
/// micro-kernel (`convlab_sgemm_shifted`, `CConvLabSupport/sgemm.c`) loads its 32 rows of each
/// column straight from there, so nothing is copied: no im2row, which in few-channel layers (LeNet
/// C3: 1 500 copies of 10 floats per image) cost more than the product itself.
///
/// The price: p runs over H_p rows per output column, not H″, so the H_p − H″ rows between two
/// columns are computed and dropped (they read across a column's end): (W″ − 1) H_p + H″ rows per
/// image instead of H″W″ — 91% useful for a 28×28 "same" layer, 74% for C3's 14 → 10. Padding is
/// written out once (zeros, `SmallConvolution.pad`), so the kernel never tests an index.
///
/// Needs AVX2 + FMA (AVX-512 where the CPU has it); `BlockedConvolution` calls it for stride-1
/// layers and builds φ otherwise. Layers whose filters per group come in 16s
/// (and so their dz/dx where the input depth does) go on to `DirectChannelConvolution`, which
/// drops no rows.
enum ShiftedConvolution {
  /// Whether it computes this layer: stride 1 on both axes (any padding, dilation, groups), and
  /// no more than half of the tall product's rows dropped (an input much taller than the output,
  /// as a 7×7 filter on an 8-row image, is better served by im2row).
  static func handles(_ patches: PatchMatrix) -> Bool {
    let g = patches.geometry
    guard g.rows.stride == 1, g.cols.stride == 1, BlockedConvolution.available else { return false }
    let ph = patches.h + g.rows.padBefore + g.rows.padAfter
    return 2 * patches.outH * patches.outW >= (patches.outW - 1) * ph + patches.outH
  }

  /// Rows of the tall product computed per work item: a multiple of the 32-row AVX-512 tile, so
  /// that a chunk's part of the input (its rows for every tap: D·(chunk + span of one channel's
  /// taps) floats, 96 KB for 64 channels of a 56-wide "same" layer) stays in the core's L2.
  static let chunkRows = 256

  /// The input offset of each tap (i′, j′, d), in the filters' order i′ + H′(j′ + W′d).
  static func offsets(_ patches: PatchMatrix, paddedHeight ph: Int, paddedWidth pw: Int, depth: Int) -> [Int] {
    let g = patches.geometry
    var offsets: [Int] = []
    offsets.reserveCapacity(g.rows.size * g.cols.size * depth)
    for d in 0..<depth {
      for j1 in 0..<g.cols.size {
        for i1 in 0..<g.rows.size { offsets.append(g.rows.dilation * i1 + ph * (g.cols.dilation * j1 + pw * d)) }
      }
    }
    return offsets
  }

  static func forward(
    _ x: Tensor<Float>, filters f: Tensor<Float>, bias: Tensor<Float>?, patches: PatchMatrix, groups: Int,
    output yShape: Shape
  ) -> Tensor<Float> {
    if DirectChannelConvolution.handles(filtersPerGroup: f.shape.n / groups) {
      return DirectChannelConvolution.forward(x, filters: f, bias: bias, patches: patches, groups: groups, output: yShape)
    }
    let g = patches.geometry
    let pad = [g.rows.padBefore, g.rows.padAfter, g.cols.padBefore, g.cols.padAfter]
    let (ph, pw) = (x.shape.h + pad[0] + pad[1], x.shape.w + pad[2] + pad[3])
    let (outH, outW, cols, perGroup, groupDepth) = (patches.outH, patches.outW, patches.cols, f.shape.n / groups, f.shape.d)
    let span = (outW - 1) * ph + outH  // rows of the tall product per image and group
    let chunkCount = (span + chunkRows - 1) / chunkRows
    let chunk = ((span + chunkCount - 1) / chunkCount + 31) / 32 * 32  // chunks of even size
    let offsets = Self.offsets(patches, paddedHeight: ph, paddedWidth: pw, depth: groupDepth)
    let packedCount = convlab_sgemm_packed_count(cols, perGroup)
    let (images, depth) = (x.shape.n, x.shape.d)
    return Workspace.shared.withBuffer(packedCount * groups, of: Float.self) { packed in
      BlockedConvolution.packFilters(f, groups: groups, into: packed)
      let biasStorage = bias?.storage ?? []
      return Tensor(shape: yShape) { yp in
        x.storage.withUnsafeBufferPointer { xs in
          guard let xb = xs.baseAddress else { return }
          SmallConvolution.withPadded(xb, h: x.shape.h, w: x.shape.w, slabs: depth * images, pad: pad) { xp in
            biasStorage.withUnsafeBufferPointer { bp in
              offsets.withUnsafeBufferPointer { op in
                guard let offsetsRef = SendableRef(op), let yr = SendableRef(yp) else { return }
                let (input, filters) = (SendableRef(UnsafeMutablePointer(mutating: xp)), SendableRef(packed))
                // An empty array may still have a base address: no bias is a nil pointer.
                let biasRef = bias == nil ? nil : SendableRef(bp)
                // Work items (image, group, chunk of rows), handed to the cores a few at a time.
                Parallel.forEachDynamic(images * groups * chunkCount, grain: 2) { next in
                  Workspace.shared.withBuffer(chunk * perGroup, of: Float.self) { out in
                    while let items = next() {
                      for item in items {
                        let (imageGroup, part) = item.quotientAndRemainder(dividingBy: chunkCount)
                        let (image, group) = imageGroup.quotientAndRemainder(dividingBy: groups)
                        let first = part * chunk
                        let m = min(chunk, span - first)
                        let a = input.pointer + (image * depth + group * groupDepth) * ph * pw + first
                        convlab_sgemm_shifted(
                          -1, m, perGroup, cols, a, offsetsRef.pointer, filters.pointer + group * packedCount,
                          biasRef.map { $0.pointer + group * perGroup }, out, chunk)
                        // Rows t = i″ + H_p j″ with i″ < H″ are outputs; the others are dropped.
                        for j in (first / ph)...((first + m - 1) / ph) {
                          let lo = max(first, j * ph)
                          let hi = min(first + m, j * ph + outH)
                          guard lo < hi else { continue }
                          for k in 0..<perGroup {
                            (yr.pointer + yShape.index(lo - j * ph, j, group * perGroup + k, image))
                              .update(from: out + (lo - first) + k * chunk, count: hi - lo)
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
  }

  /// dz/dx of a stride-1 layer as this file's forward pass: the "full" correlation of dz/dy with
  /// the filters rotated by 180° and their depth and count exchanged (Xu (16), MatConvNet §6.1:
  /// the transposed convolution),
  ///
  ///     dx_{r c d} = Σ_{k i′ j′} rot180(f)_{i′ j′ k d} dy_{r+D_h i′−P′_t, c+D_w j′−P′_l, k},
  ///     P′_t = D_h(H′ − 1) − P_t (and likewise for the other three sides),
  ///
  /// so that dz/dx, too, is computed without a patch matrix and without row2im's scattered
  /// additions. nil where the layer is not stride 1, where a padding exceeds the dilated filter
  /// (P′ would be negative: the forward pass never reads those rows), or where `handles` declines.
  static func inputGradient(
    _ dzdy: Tensor<Float>, filters f: Tensor<Float>, patches: PatchMatrix, groups: Int, input xShape: Shape
  ) -> Tensor<Float>? {
    let g = patches.geometry
    guard g.rows.stride == 1, g.cols.stride == 1 else { return nil }
    let (reachH, reachW) = (g.rows.dilation * (g.rows.size - 1), g.cols.dilation * (g.cols.size - 1))
    let pad = [reachH - g.rows.padBefore, reachH - g.rows.padAfter, reachW - g.cols.padBefore, reachW - g.cols.padAfter]
    guard pad.allSatisfy({ $0 >= 0 }) else { return nil }
    let geometry = FilterGeometry(
      rows: FilterAxis(size: g.rows.size, padBefore: pad[0], padAfter: pad[1], dilation: g.rows.dilation),
      cols: FilterAxis(size: g.cols.size, padBefore: pad[2], padAfter: pad[3], dilation: g.cols.dilation))
    let perGroup = f.shape.n / groups
    guard let transposed = try? PatchMatrix(geometry: geometry, h: dzdy.shape.h, w: dzdy.shape.w, d: perGroup),
      transposed.outH == xShape.h, transposed.outW == xShape.w, handles(transposed)
    else { return nil }
    // rot180(f) with depth and count exchanged within each group: H′ × W′ × (K/g) × D.
    let (fh, fw, depth) = (f.shape.h, f.shape.w, f.shape.d)
    let rotated = Tensor<Float>(shape: Shape(fh, fw, perGroup, depth * groups)) { r in
      f.storage.withUnsafeBufferPointer { fs in
        for group in 0..<groups {
          for k in 0..<perGroup {
            for d in 0..<depth {
              for q in 0..<fw {
                for p in 0..<fh {
                  r[(fh - 1 - p) + fh * ((fw - 1 - q) + fw * (k + perGroup * (group * depth + d)))] =
                    fs[p + fh * (q + fw * (d + depth * (group * perGroup + k)))]
                }
              }
            }
          }
        }
      }
    }
    return forward(dzdy, filters: rotated, bias: nil, patches: transposed, groups: groups, output: xShape)
  }
}

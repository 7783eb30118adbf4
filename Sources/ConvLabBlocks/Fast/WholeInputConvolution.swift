import CConvLabSupport
import ConvLabCore

/// The Float32 conv pass of a layer whose filters are as large as its input (no padding, no
/// dilation): each image has one patch, the image itself, so y is 1 × 1 × K and the layer is the
/// fully connected layer MatConvNet §4.1 describes as a convolution with a filter the size of the
/// input (LeNet's C5: 5×5×16 → 120). With x̄ the images as columns (HWD′ × N, each image's storage
/// already in the filters' tap order i′ + H′(j′ + W′d)) and F the filters (HWD′ × K):
///
///     y = Fᵀ x̄ + b          dz/dx̄ = F dz/dy          dz/dF = x̄ (dz/dy)ᵀ
///
/// (MatConvNet §6.1 with φ(x) = x̄ᵀ). The blocked and shifted kernels would spend a whole 32-row
/// tile on each image's single patch row; here the three products run on the micro-kernel with
/// the batch as their long side: K, HWD′ and HWD′ rows of 32-row tiles. Groups take their slice of
/// the channels (each group's part of an image is contiguous).
enum WholeInputConvolution {
  /// Whether the layer's filters cover its input exactly: one patch per image, read in place.
  static func handles(_ patches: PatchMatrix) -> Bool {
    let g = patches.geometry
    return patches.outH == 1 && patches.outW == 1 && g.rows.size == patches.h && g.cols.size == patches.w
      && g.rows.padBefore == 0 && g.rows.padAfter == 0 && g.cols.padBefore == 0 && g.cols.padAfter == 0
      && g.rows.dilation == 1 && g.cols.dilation == 1 && BlockedConvolution.available
  }

  /// Images per work item: 8 panels of the micro-kernel's 6 columns (two items for a batch of 64).
  static let imageBlock = 48

  /// y[k + K n] = b_k + Σ_p F[p, k] x̄[p, n], per group.
  static func forward(_ x: Tensor<Float>, filters f: Tensor<Float>, bias: Tensor<Float>?, groups: Int, output yShape: Shape) -> Tensor<Float> {
    let (images, cols, size) = (x.shape.n, f.shape.h * f.shape.w * f.shape.d, x.shape.h * x.shape.w * x.shape.d)
    let (filters, perGroup) = (f.shape.n, f.shape.n / groups)
    let blocks = (images + imageBlock - 1) / imageBlock
    return Workspace.shared.withBuffer(cols * filters, of: Float.self) { transposed in
      // Fᵀ of each group, column-major (perGroup × cols): the left factor.
      f.storage.withUnsafeBufferPointer { fp in
        for group in 0..<groups {
          for k in 0..<perGroup {
            for p in 0..<cols { transposed[group * cols * perGroup + k + p * perGroup] = fp[p + cols * (group * perGroup + k)] }
          }
        }
      }
      let b = bias?.storage ?? [Float](repeating: 0, count: filters)
      return Tensor(shape: yShape) { yp in
        for n in 0..<images {
          for k in 0..<filters { yp[k + filters * n] = b[k] }
        }
        x.storage.withUnsafeBufferPointer { xs in
          guard let input = SendableRef(xs), let output = SendableRef(yp) else { return }
          let left = SendableRef(transposed)
          Parallel.forEachDynamic(groups * blocks, grain: 1) { next in
            Workspace.shared.withBuffer(convlab_sgemm_packed_count(cols, imageBlock), of: Float.self) { packed in
              while let items = next() {
                for item in items {
                  let (group, block) = item.quotientAndRemainder(dividingBy: blocks)
                  let first = block * imageBlock
                  let count = min(imageBlock, images - first)
                  convlab_sgemm_pack(input.pointer + first * size + group * cols, size, cols, count, packed)
                  convlab_sgemm_packed_add(
                    perGroup, count, cols, left.pointer + group * cols * perGroup, perGroup, packed,
                    output.pointer + first * filters + group * perGroup, filters)
                }
              }
            }
          }
        }
      }
    }
  }

  /// (dz/dx, dz/dw): dz/dx̄ = F dz/dy (skipped without `inputGradient`), dz/dF = x̄ (dz/dy)ᵀ.
  static func backward(
    _ x: Tensor<Float>, filters f: Tensor<Float>, _ dzdy: Tensor<Float>, groups: Int, inputGradient: Bool
  ) -> (dzdx: Tensor<Float>, dzdw: Tensor<Float>) {
    let (images, cols, size) = (x.shape.n, f.shape.h * f.shape.w * f.shape.d, x.shape.h * x.shape.w * x.shape.d)
    let (filters, perGroup) = (f.shape.n, f.shape.n / groups)
    let blocks = (images + imageBlock - 1) / imageBlock
    // dz/dF's rows (taps) in 32-row tiles, split into as many pieces as dz/dx has image blocks.
    let rowBlock = max(32, (cols / max(1, 2 * groups) + 31) / 32 * 32)
    let rowBlocks = (cols + rowBlock - 1) / rowBlock
    var dx = Tensor<Float>(shape: x.shape)
    var dw = Tensor<Float>(shape: f.shape)
    // (dz/dy)ᵀ of each group, the right-hand side of every dz/dF piece: packed once, read by all.
    let errorCount = convlab_sgemm_packed_count(images, perGroup)
    Workspace.shared.withBuffer(errorCount * groups, of: Float.self) { errorsT in
      dzdy.storage.withUnsafeBufferPointer { gs in
        guard let g = gs.baseAddress else { return }
        for group in 0..<groups { convlab_sgemm_pack_transposed(g + group * perGroup, filters, images, perGroup, errorsT + group * errorCount) }
      }
      x.storage.withUnsafeBufferPointer { xs in
        f.storage.withUnsafeBufferPointer { fs in
          dzdy.storage.withUnsafeBufferPointer { gs in
            dx.storage.withUnsafeMutableBufferPointer { dxs in
              dw.storage.withUnsafeMutableBufferPointer { dws in
                guard let input = SendableRef(xs), let weights = SendableRef(fs), let error = SendableRef(gs),
                  let inputGrad = SendableRef(dxs), let filterGrad = SendableRef(dws)
                else { return }
                let transposedErrors = SendableRef(errorsT)
                let dxItems = inputGradient ? groups * blocks : 0
                // Items: dz/dx̄ per (group, image block), then dz/dF per (group, row block).
                Parallel.forEachDynamic(dxItems + groups * rowBlocks, grain: 1) { next in
                  Workspace.shared.withBuffer(convlab_sgemm_packed_count(perGroup, imageBlock), of: Float.self) { packed in
                    while let items = next() {
                      for item in items {
                        if item < dxItems {
                          let (group, block) = item.quotientAndRemainder(dividingBy: blocks)
                          let first = block * imageBlock
                          let count = min(imageBlock, images - first)
                          convlab_sgemm_pack(error.pointer + first * filters + group * perGroup, filters, perGroup, count, packed)
                          convlab_sgemm_packed(
                            cols, count, perGroup, weights.pointer + group * perGroup * cols, cols, packed, nil,
                            inputGrad.pointer + first * size + group * cols, size)
                        } else {
                          let (group, block) = (item - dxItems).quotientAndRemainder(dividingBy: rowBlocks)
                          let rows = (block * rowBlock)..<min(cols, (block + 1) * rowBlock)
                          convlab_sgemm_packed(
                            rows.count, perGroup, images, input.pointer + group * cols + rows.lowerBound, size,
                            transposedErrors.pointer + group * errorCount, nil, filterGrad.pointer + group * perGroup * cols + rows.lowerBound, cols)
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
    return (dx, dw)
  }
}

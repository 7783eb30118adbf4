import CConvLabSupport
import ConvLabCore

/// The Float32 conv backward pass on cache-sized blocks (MatConvNet §6.1):
///
///     dz/dF = φ(x)ᵀ dz/dY          dz/dX = φ*(dz/dY Fᵀ)
///
/// computed as the blocked forward pass computes y = φ(x) F: for each block of one image's
/// patch rows, im2row writes φ's rows into a buffer that stays in the core's L2 cache, and
/// ConvLab's AVX2 micro-kernel (`CConvLabSupport/sgemm.c`) multiplies it at once —
/// dz/dFᵀ += dYᵀ φ (φ packed into 6-column panels, dYᵀ a small transposed copy of the block's
/// rows of dz/dy), then dΦ = dY Fᵀ (dY read in place from dz/dy, Fᵀ packed once per call) into
/// the same buffer, and row2im adds the block's rows of dΦ back to the pixels they came from.
///
/// The im2row + OpenBLAS backward (`Conv.Kernel.gemm`) writes the patch matrix of many images
/// (up to 32 MiB) to memory and reads it back twice; on few-channel layers (LeNet C3: 6
/// channels, 150-term patches) that traffic is most of its time.
///
/// Work is split into at most `chunks` fixed runs of images, handed to the cores as they come
/// free. Each run owns its images' dz/dx (row2im of neighbouring patches overlaps, so one image
/// is never shared) and its own partial dz/dF, and the partial sums are added in run order at
/// the end: the result does not depend on which core took which run, so a training run is
/// reproducible from its seed.
enum BlockedBackward {
  /// Runs of images: enough for the two cores to balance each other (a run is ≥ 1 image).
  static let chunks = 8

  /// (dz/dx, dz/dw) for filters `f` in `groups` groups; dz/dx stays zero without `inputGradient`.
  static func backward(
    _ x: Tensor<Float>, filters f: Tensor<Float>, _ dzdy: Tensor<Float>, patches: PatchMatrix, groups: Int,
    inputGradient: Bool
  ) -> (dzdx: Tensor<Float>, dzdw: Tensor<Float>) {
    if WholeInputConvolution.handles(patches) {
      return WholeInputConvolution.backward(x, filters: f, dzdy, groups: groups, inputGradient: inputGradient)
    }
    // Stride-1 layers: dz/dx as a forward pass of dz/dy with the rotated filters (Xu (16)), and
    // with many channels dz/dF as one product per spatial tap (Xu (13)), both without φ; the
    // blocks below compute what those do not.
    let shiftedDx = inputGradient ? ShiftedConvolution.inputGradient(dzdy, filters: f, patches: patches, groups: groups, input: x.shape) : nil
    if !inputGradient || shiftedDx != nil,
      let dw = ShiftedConvolution.filterGradient(x, filters: f.shape, dzdy, patches: patches, groups: groups)
    {
      return (shiftedDx ?? Tensor(shape: x.shape), dw)
    }
    if let dx = shiftedDx {
      return (dx, backward(x, filters: f, dzdy, patches: patches, groups: groups, inputGradient: false).dzdw)
    }
    let (rows, cols, perGroup) = (patches.rows, patches.cols, f.shape.n / groups)
    let runs = min(chunks, x.shape.n)
    let partialCount = perGroup * cols * groups  // one run's dz/dFᵀ, group after group
    let packedFtCount = convlab_sgemm_packed_count(perGroup, cols)
    let plan = patches.plan()
    var dx = Tensor<Float>(shape: x.shape)
    let dw = Workspace.shared.withBuffer(partialCount * runs, of: Float.self) { partials in
      Workspace.shared.withBuffer(packedFtCount * groups, of: Float.self) { packedFt in
        partials.update(repeating: 0, count: partialCount * runs)
        packFiltersTransposed(f, groups: groups, into: packedFt)
        x.storage.withUnsafeBufferPointer { xp in
          dzdy.storage.withUnsafeBufferPointer { gp in
            dx.storage.withUnsafeMutableBufferPointer { dxp in
              guard let input = SendableRef(xp), let gradient = SendableRef(gp), let target = SendableRef(dxp) else { return }
              let (sums, filters) = (SendableRef(partials), SendableRef(packedFt))
              let block = blockRows(rows: rows, taps: cols)
              Parallel.forEachDynamic(runs, grain: 1) { next in
                withBlockBuffers(block: block, cols: cols, perGroup: perGroup) { buffers in
                  while let items = next() {
                    for run in items {
                      let images = (run * x.shape.n / runs)..<((run + 1) * x.shape.n / runs)
                      for image in images {
                        for group in 0..<groups {
                          let step = Step(x: x.shape, y: dzdy.shape, filterDepth: f.shape.d, perGroup: perGroup, image: image, group: group)
                          for first in Swift.stride(from: 0, to: rows, by: block) {
                            let window = first..<min(rows, first + block)
                            step.filterGradient(
                              input.pointer, gradient.pointer, window: window, patches: patches, plan: plan,
                              buffers: buffers, into: sums.pointer + run * partialCount + group * perGroup * cols)
                            if inputGradient {
                              step.inputGradient(
                                gradient.pointer, filters: filters.pointer + group * packedFtCount, window: window,
                                patches: patches, plan: plan, buffers: buffers, into: target.pointer)
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
        return sumPartials(partials, runs: runs, perGroup: perGroup, cols: cols, groups: groups, filters: f.shape)
      }
    }
    return (dx, dw)
  }

  /// Patch rows per block: the forward pass's size (≤ 160 KB of φ, a multiple of the 16-row
  /// tile), spread evenly over one image's rows so that its last block is not a sliver.
  static func blockRows(rows: Int, taps: Int) -> Int {
    let target = BlockedConvolution.blockRows(patchCount: rows, taps: taps)
    let blocks = (rows + target - 1) / target
    return min(target, ((rows + blocks - 1) / blocks + 15) / 16 * 16)
  }

  /// Fᵀ of each group (perGroup × H′W′D′, the right-hand side of dΦ = dY Fᵀ), packed.
  static func packFiltersTransposed(_ f: Tensor<Float>, groups: Int, into packed: UnsafeMutablePointer<Float>) {
    let (cols, perGroup) = (f.shape.h * f.shape.w * f.shape.d, f.shape.n / groups)
    let count = convlab_sgemm_packed_count(perGroup, cols)
    f.storage.withUnsafeBufferPointer { fp in
      guard let fb = fp.baseAddress else { return }
      for group in 0..<groups {
        convlab_sgemm_pack_transposed(fb + cols * group * perGroup, cols, perGroup, cols, packed + group * count)
      }
    }
  }

  /// dz/dw[tap, filter] = Σ over runs of dz/dFᵀ[filter, tap]: run order fixed, so the sums are
  /// the same whichever core computed which run.
  static func sumPartials(
    _ partials: UnsafeMutablePointer<Float>, runs: Int, perGroup: Int, cols: Int, groups: Int,
    filters: Shape
  ) -> Tensor<Float> {
    let partialCount = perGroup * cols * groups
    return Tensor(shape: filters) { dw in
      for group in 0..<groups {
        for k in 0..<perGroup {
          for tap in 0..<cols {
            var sum: Float = 0
            for run in 0..<runs { sum += partials[run * partialCount + group * perGroup * cols + k + tap * perGroup] }
            dw[tap + (group * perGroup + k) * cols] = sum
          }
        }
      }
    }
  }

  /// One core's scratch memory: a block of φ (then of dΦ), φ packed, and dYᵀ.
  struct Buffers {
    let phi: UnsafeMutablePointer<Float>
    let packed: UnsafeMutablePointer<Float>
    let dyT: UnsafeMutablePointer<Float>
    let ld: Int
  }

  static func withBlockBuffers(block: Int, cols: Int, perGroup: Int, _ body: (Buffers) -> Void) {
    Workspace.shared.withBuffer(block * cols, of: Float.self) { phi in
      Workspace.shared.withBuffer(convlab_sgemm_packed_count(block, cols), of: Float.self) { packed in
        Workspace.shared.withBuffer(block * perGroup, of: Float.self) { dyT in
          body(Buffers(phi: phi, packed: packed, dyT: dyT, ld: block))
        }
      }
    }
  }

  /// One image and one group of filters: where their inputs, outputs and gradients start.
  struct Step {
    let x: Shape, y: Shape
    let filterDepth: Int, perGroup: Int
    let image: Int, group: Int

    /// Input channels of the group in the image (and of dz/dx).
    var inputOffset: Int { x.index(0, 0, group * filterDepth, image) }
    /// dz/dy's first channel of the group in the image: column k of dY starts k·H″W″ later.
    var outputOffset: Int { y.index(0, 0, group * perGroup, image) }

    /// dz/dFᵀ (perGroup × taps, leading dimension perGroup) += dYᵀ φ over the window's rows.
    func filterGradient(
      _ x: UnsafePointer<Float>, _ dzdy: UnsafePointer<Float>, window: Range<Int>, patches: PatchMatrix,
      plan: PatchMatrix.Plan, buffers b: Buffers, into dwT: UnsafeMutablePointer<Float>
    ) {
      patches.im2row(x + inputOffset, plan: plan, rows: window, into: b.phi, ld: b.ld)
      convlab_sgemm_pack(b.phi, b.ld, window.count, patches.cols, b.packed)
      let plane = y.h * y.w
      let dy = dzdy + outputOffset + window.lowerBound
      for r in 0..<window.count {
        for k in 0..<perGroup { b.dyT[k + r * perGroup] = dy[r + k * plane] }
      }
      convlab_sgemm_packed_add(perGroup, patches.cols, window.count, b.dyT, perGroup, b.packed, dwT, perGroup)
    }

    /// dΦ = dY Fᵀ on the window's rows (dY read in place), then dz/dx += φ*(dΦ) for those rows.
    func inputGradient(
      _ dzdy: UnsafePointer<Float>, filters packedFt: UnsafePointer<Float>, window: Range<Int>,
      patches: PatchMatrix, plan: PatchMatrix.Plan, buffers b: Buffers, into dx: UnsafeMutablePointer<Float>
    ) {
      let plane = y.h * y.w
      convlab_sgemm_packed(
        window.count, patches.cols, perGroup, dzdy + outputOffset + window.lowerBound, plane, packedFt, nil,
        b.phi, b.ld)
      patches.row2imAdd(b.phi, plan: plan, rows: window, ld: b.ld, into: dx + inputOffset)
    }
  }
}

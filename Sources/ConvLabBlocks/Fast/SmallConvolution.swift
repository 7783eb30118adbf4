import ConvLabCore

/// Direct convolution for layers with few input taps (LeNet's C1: 5×5×1 → 6), where
/// im2row + GEMM spends its time copying: the patch matrix of C1 is 25× the input, and a GEMM
/// with 6 output columns and 25 inner terms runs far below BLAS's speed. Here each output
/// column of 8 rows (one SIMD vector) is summed tap by tap straight from the input, for four
/// output channels at once — MatConvNet §4.1's sum, y_{i″j″k} = b_k + Σ_{i′j′d} f_{i′j′dk}
/// x_{i″+i′−P, j″+j′−P, d}, with i″ vectorized.
///
/// The backward pass uses the papers' identities instead of φ:
/// - dz/dx is a "full" correlation of dz/dy with the rotated filters (Xu (16), MatConvNet
///   §6.1: the transposed convolution): dx_{r c d} = Σ_k Σ_{p q} rot180(f)_{p q k d}
///   dy_{r+p−P′, c+q−P′, k} with P′ = H′ − 1 − P, which is this file's forward kernel run on dz/dy
///   with filters rotated by 180° and their depth and count exchanged;
/// - dz/df_{p q d k} = Σ_n Σ_{i″ j″} dy_{i″ j″ k n} x_{i″+p−P, j″+q−P, d, n} (Xu (13): the
///   correlation of the input with the error), summed 8 rows at a time.
///
/// Stride 1, no dilation, one group, output at least 8 rows high, padding below the filter size;
/// `Conv` falls back to im2row + GEMM otherwise.
enum SmallConvolution {
  typealias Lanes<S: Scalar> = SIMD8<S>
  static let lanes = 8
  /// Output channels summed together (four 8-lane accumulators stay in registers).
  static let channelBlock = 4

  /// Whether the direct kernels can compute this layer.
  static func handles(conv: Conv, x: Shape, f: Shape, outH: Int) -> Bool {
    guard conv.stride == (1, 1), conv.dilate == (1, 1), f.d == x.d, outH >= lanes else { return false }
    return conv.pad[0] < f.h && conv.pad[1] < f.h && conv.pad[2] < f.w && conv.pad[3] < f.w
  }

  /// Whether they are faster than im2row + GEMM. They win while a pixel has few taps (H′W′D):
  /// there the patch matrix is many times the input and the GEMM's inner dimension is too short
  /// for BLAS. Measured on this project's machine (2026-11-29, 2 cores, Float32, batch 64, ms;
  /// the GEMM column before im2row became one copy per tap, which helped C3 further):
  ///
  ///     layer                         taps  channels   forward direct/GEMM   fwd+bwd direct/GEMM
  ///     LeNet C1  32×32×1 → 6, 5×5      25      6          1.0–1.3 / 2.5–4.0     7.3 / 7.5–11.7
  ///     LeNet C3  14×14×6 → 16, 5×5    150     16          2.0–2.6 / 1.7–2.4     9–13 / 6.4–8.1
  ///     28×28×1 → 64, 3×3 (N=100)        9     64          6.2 / 11.7            25.5 / 26.5
  ///
  /// This kernel is Swift's portable SIMD (SSE2 on x86-64: 4 lanes, no FMA), against OpenBLAS's
  /// AVX2 FMA kernels, so GEMM wins as soon as it has ~150 terms per dot product.
  ///
  /// Where ConvLab's own micro-kernel runs (AVX2 + FMA, AVX-512 where present), the blocked path
  /// wins even on LeNet's C1: its stride-1 layers go through `ShiftedConvolution`, which reads
  /// the patches in place and so has no im2row cost left to lose to. Measured 2026-12-02 on this
  /// project's machine (AMD EPYC Zen 5 with AVX-512, 2 cores, load average ~13 from other jobs,
  /// `convlab bench conv --shape 64,32,32,1,6,5,5,1,0 --path direct|blocked [--backward]`):
  /// forward 0.79 → 0.20 ms, forward + backward 16.0 → 12.8 ms. This kernel stays the choice
  /// without the micro-kernel.
  static func faster(x: Shape, f: Shape) -> Bool {
    !BlockedConvolution.available && f.h * f.w * f.d <= 50 && f.n <= 64
  }

  /// Copies `x` (h × w slabs, `slabs` of them) into `target` with the given zero padding.
  static func pad<S: Scalar>(_ x: UnsafePointer<S>, h: Int, w: Int, slabs: Int, pad: [Int], into target: UnsafeMutablePointer<S>) {
    let (ph, pw) = (h + pad[0] + pad[1], w + pad[2] + pad[3])
    let source = SendableRef(UnsafeMutablePointer(mutating: x))
    let out = SendableRef(target)
    Parallel.forEachRange(slabs, threshold: 64) { range in
      for s in range {
        let from = source.pointer + s * h * w
        let to = out.pointer + s * ph * pw
        to.update(repeating: 0, count: pad[2] * ph)
        for c in 0..<w {
          let column = to + (c + pad[2]) * ph
          column.update(repeating: 0, count: pad[0])
          (column + pad[0]).update(from: from + c * h, count: h)
          (column + pad[0] + h).update(repeating: 0, count: pad[1])
        }
        (to + (w + pad[2]) * ph).update(repeating: 0, count: pad[3] * ph)
      }
    }
  }

  /// Filters f (H′×W′×D×K) repacked as [K/4 blocks][d][q][p][4 channels], each weight already
  /// broadcast to the 8 lanes (so the kernel multiplies by a vector straight from memory instead
  /// of shuffling a scalar into one per use), zero for the channels past K.
  static func pack<S: Scalar>(_ f: UnsafePointer<S>, _ s: Shape) -> [Lanes<S>] {
    let blocks = (s.n + channelBlock - 1) / channelBlock
    let taps = s.h * s.w * s.d
    var packed = [Lanes<S>](repeating: Lanes<S>(), count: blocks * taps * channelBlock)
    for k in 0..<s.n {
      for d in 0..<s.d {
        for q in 0..<s.w {
          for p in 0..<s.h {
            let tap = p + s.h * (q + s.w * d)
            packed[((k / channelBlock) * taps + tap) * channelBlock + k % channelBlock] = Lanes<S>(repeating: f[s.index(p, q, d, k)])
          }
        }
      }
    }
    return packed
  }

  @inline(__always)
  static func load<S: Scalar>(_ p: UnsafePointer<S>) -> Lanes<S> { SIMDMemory.load(p) }

  @inline(__always)
  static func store<S: Scalar>(_ v: Lanes<S>, _ p: UnsafeMutablePointer<S>) { SIMDMemory.store(v, p) }

  /// y = b + Σ f x over `images` padded images (`xp`: ph × pw slabs, D per image) into
  /// y (outH × outW slabs, K per image), K = `filters.n`; `packed` from `pack`.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func forward<S: Scalar>(
    padded xp: UnsafePointer<S>, ph: Int, pw: Int, images: Int, filters: Shape, packed: [Lanes<S>],
    bias: [S]?, into y: UnsafeMutablePointer<S>, outH: Int, outW: Int
  ) {
    let (fh, fw, depth, k) = (filters.h, filters.w, filters.d, filters.n)
    let blocks = (k + channelBlock - 1) / channelBlock
    let taps = fh * fw * depth
    let biases = (0..<blocks * channelBlock).map { $0 < k ? bias?[$0] ?? 0 : 0 }
    let source = SendableRef(UnsafeMutablePointer(mutating: xp))
    let out = SendableRef(y)
    packed.withUnsafeBufferPointer { wb in
      guard let weights = SendableRef(wb) else { return }
      Parallel.forEach(images) { n in
        let image = UnsafePointer(source.pointer + n * depth * ph * pw)
        let yImage = out.pointer + n * k * outH * outW
        for block in 0..<blocks {
          let k0 = block * channelBlock
          let (b0, b1, b2, b3) = (biases[k0], biases[k0 + 1], biases[k0 + 2], biases[k0 + 3])
          for j in 0..<outW {
            // Rows in chunks of 8; the last chunk is moved up to end at outH (it recomputes a
            // few rows with the same values rather than leaving a scalar tail).
            var i = 0
            while i < outH {
              let i0 = min(i, outH - lanes)
              var a0 = Lanes<S>(repeating: b0)
              var a1 = Lanes<S>(repeating: b1)
              var a2 = Lanes<S>(repeating: b2)
              var a3 = Lanes<S>(repeating: b3)
              var wp = UnsafePointer(weights.pointer) + block * taps * channelBlock
              for d in 0..<depth {
                for q in 0..<fw {
                  let column = image + d * ph * pw + (j + q) * ph + i0
                  for p in 0..<fh {
                    let v = load(column + p)
                    a0 += v * wp[0]
                    a1 += v * wp[1]
                    a2 += v * wp[2]
                    a3 += v * wp[3]
                    wp += channelBlock
                  }
                }
              }
              let target = yImage + j * outH + i0
              store(a0, target + k0 * outH * outW)
              if k0 + 1 < k { store(a1, target + (k0 + 1) * outH * outW) }
              if k0 + 2 < k { store(a2, target + (k0 + 2) * outH * outW) }
              if k0 + 3 < k { store(a3, target + (k0 + 3) * outH * outW) }
              i += lanes
            }
          }
        }
      }
    }
  }

  /// dz/df += Σ_n Σ dy x (Xu (13)) for padded images `xp` and dz/dy `g` (outH × outW slabs,
  /// K per image); one core per (input channel, block of four filters), so no two cores write
  /// the same weight.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func filterGradient<S: Scalar>(
    padded xp: UnsafePointer<S>, ph: Int, pw: Int, images: Int, dzdy g: UnsafePointer<S>,
    outH: Int, outW: Int, filters: Shape, into dw: UnsafeMutablePointer<S>
  ) {
    let (fh, fw, depth, k) = (filters.h, filters.w, filters.d, filters.n)
    let blocks = (k + channelBlock - 1) / channelBlock
    // The last chunk of rows starts at outH − 8 and overlaps the one before; its first lanes
    // are masked off so that every row is counted once.
    let overlap = (lanes - outH % lanes) % lanes
    let source = SendableRef(UnsafeMutablePointer(mutating: xp))
    let gradient = SendableRef(UnsafeMutablePointer(mutating: g))
    let target = SendableRef(dw)
    Parallel.forEach(depth * blocks) { task in
      let d = task % depth
      let k0 = (task / depth) * channelBlock
      let tailMask = Lanes<S>((0..<lanes).map { $0 < overlap ? 0 : 1 })
      for q in 0..<fw {
        for p in 0..<fh {
          var a0 = Lanes<S>()
          var a1 = Lanes<S>()
          var a2 = Lanes<S>()
          var a3 = Lanes<S>()
          for n in 0..<images {
            let channel = UnsafePointer(source.pointer + (n * depth + d) * ph * pw)
            // Channels past K (the last block's spare lanes) read channel K − 1; their sums are dropped.
            let slab = { (c: Int) -> UnsafePointer<S> in UnsafePointer(gradient.pointer + (n * k + min(c, k - 1)) * outH * outW) }
            let (g0, g1, g2, g3) = (slab(k0), slab(k0 + 1), slab(k0 + 2), slab(k0 + 3))
            for j in 0..<outW {
              let column = channel + (j + q) * ph + p
              let at = j * outH
              var i = 0
              while i + lanes <= outH {
                let v = load(column + i)
                a0 += v * load(g0 + at + i)
                a1 += v * load(g1 + at + i)
                a2 += v * load(g2 + at + i)
                a3 += v * load(g3 + at + i)
                i += lanes
              }
              if i < outH {
                let i0 = outH - lanes
                let v = load(column + i0) * tailMask
                a0 += v * load(g0 + at + i0)
                a1 += v * load(g1 + at + i0)
                a2 += v * load(g2 + at + i0)
                a3 += v * load(g3 + at + i0)
              }
            }
          }
          let sums = [a0.sum(), a1.sum(), a2.sum(), a3.sum()]
          for c in 0..<channelBlock where k0 + c < k { target.pointer[filters.index(p, q, d, k0 + c)] += sums[c] }
        }
      }
    }
  }

  /// rot180(f) with depth and count exchanged (H′×W′×K×D): the filters of dz/dx's correlation.
  /// The index form of the notation layer's `rot180(K) = J K J` (Xu (14)), which builds the
  /// exchange matrices as the paper writes them; the tests hold this kernel to that literal path.
  static func rotatedTransposed<S: Scalar>(_ f: UnsafePointer<S>, _ s: Shape) -> (UnsafeMutablePointer<S>, Shape) {
    let shape = Shape(s.h, s.w, s.n, s.d)
    let r = UnsafeMutablePointer<S>.allocate(capacity: shape.count)
    for k in 0..<s.n {
      for d in 0..<s.d {
        for q in 0..<s.w {
          for p in 0..<s.h { r[shape.index(s.h - 1 - p, s.w - 1 - q, k, d)] = f[s.index(p, q, d, k)] }
        }
      }
    }
    return (r, shape)
  }

  /// Runs `body` on x with `pad` written out as zeros (x itself when there is no padding).
  static func withPadded<S: Scalar, R>(_ x: UnsafePointer<S>, h: Int, w: Int, slabs: Int, pad: [Int], _ body: (UnsafePointer<S>) -> R) -> R {
    if pad.allSatisfy({ $0 == 0 }) { return body(x) }
    let count = slabs * (h + pad[0] + pad[1]) * (w + pad[2] + pad[3])
    return Workspace.shared.withBuffer(count, of: S.self) { buffer in
      Self.pad(x, h: h, w: w, slabs: slabs, pad: pad, into: buffer)
      return body(UnsafePointer(buffer))
    }
  }

  /// `Conv.forward` through the direct kernel.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func convForward<S: Scalar>(_ x: Tensor<S>, filters f: Tensor<S>, bias: Tensor<S>?, pad: [Int], output yShape: Shape) -> Tensor<S> {
    let s = x.shape
    let packed = f.storage.withUnsafeBufferPointer { pack($0.baseAddress!, f.shape) }
    return Tensor(shape: yShape) { ys in
      x.storage.withUnsafeBufferPointer { xs in
        withPadded(xs.baseAddress!, h: s.h, w: s.w, slabs: s.d * s.n, pad: pad) { xp in
          forward(
            padded: xp, ph: s.h + pad[0] + pad[1], pw: s.w + pad[2] + pad[3], images: s.n, filters: f.shape, packed: packed,
            bias: bias?.storage, into: ys.baseAddress!, outH: yShape.h, outW: yShape.w)
        }
      }
    }
  }

  /// `Conv.backward` through the direct kernels: dz/df by Xu (13), dz/dx (when asked) as the
  /// full correlation of dz/dy with rot180(f) (Xu (16)), dz/db by summing dz/dy.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func convBackward<S: Scalar>(_ x: Tensor<S>, filters f: Tensor<S>, _ dzdy: Tensor<S>, pad: [Int], inputGradient: Bool) -> (dx: Tensor<S>, dw: Tensor<S>) {
    let s = x.shape
    let y = dzdy.shape
    let fs = f.shape
    var dw = Tensor<S>(shape: fs)
    x.storage.withUnsafeBufferPointer { xs in
      dzdy.storage.withUnsafeBufferPointer { gs in
        dw.storage.withUnsafeMutableBufferPointer { dws in
          withPadded(xs.baseAddress!, h: s.h, w: s.w, slabs: s.d * s.n, pad: pad) { xp in
            filterGradient(
              padded: xp, ph: s.h + pad[0] + pad[1], pw: s.w + pad[2] + pad[3], images: s.n, dzdy: gs.baseAddress!,
              outH: y.h, outW: y.w, filters: fs, into: dws.baseAddress!)
          }
        }
      }
    }
    guard inputGradient else { return (Tensor(shape: s), dw) }
    // P′ = H′ − 1 − P on each side: the "full" padding of the transposed correlation.
    let fullPad = [fs.h - 1 - pad[0], fs.h - 1 - pad[1], fs.w - 1 - pad[2], fs.w - 1 - pad[3]]
    let (rotated, rotatedShape) = f.storage.withUnsafeBufferPointer { rotatedTransposed($0.baseAddress!, fs) }
    defer { rotated.deallocate() }
    let packed = pack(rotated, rotatedShape)
    let dx = Tensor<S>(shape: s) { ds in
      dzdy.storage.withUnsafeBufferPointer { gs in
        withPadded(gs.baseAddress!, h: y.h, w: y.w, slabs: y.d * y.n, pad: fullPad) { gp in
          forward(
            padded: gp, ph: y.h + fullPad[0] + fullPad[1], pw: y.w + fullPad[2] + fullPad[3], images: s.n, filters: rotatedShape,
            packed: packed, bias: nil, into: ds.baseAddress!, outH: s.h, outW: s.w)
        }
      }
    }
    return (dx, dw)
  }
}

import ConvLabCore

/// Pooling on raw buffers, one H×W slab (a channel of an image, contiguous in MatConvNet's
/// layout) at a time, slabs spread over the cores. The window bounds of every output row and
/// column are computed once per call, so the inner loops only read memory (MatConvNet §4.3).
enum PoolingKernels {
  /// The in-bounds input range of each output index along one axis.
  static func ranges(outputs: Int, input: Int, size: Int, stride: Int, padBefore: Int) -> [Range<Int>] {
    (0..<outputs).map { o in
      let start = o * stride - padBefore
      return max(0, start)..<min(input, start + size)
    }
  }

  struct Geometry {
    let h: Int, w: Int, outH: Int, outW: Int, slabs: Int
    let rows: [Range<Int>], cols: [Range<Int>]
  }

  /// y = max / average / max + average over each window (Milisavljevic's max+average is the sum).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func forward<S: Scalar>(_ x: [S], _ g: Geometry, method: Pool.Method) -> [S] {
    if let y = forward2x2(x, g, method: method) { return y }
    return mapSlabs(x, g) { xp, yp in
      for oj in 0..<g.outW {
        let cols = g.cols[oj]
        for oi in 0..<g.outH {
          let rows = g.rows[oi]
          var best = -S.infinity
          var sum: S = 0
          for c in cols {
            let column = xp + c * g.h
            for r in rows {
              let v = column[r]
              best = v > best ? v : best
              sum += v
            }
          }
          let average = sum / S(rows.count * cols.count)
          yp[oj * g.outH + oi] = method == .max ? best : method == .avg ? average : best + average
        }
      }
    }
  }

  /// y with one H″×W″ slab per input slab, each computed by `body(x slab, y slab)` on some core;
  /// `body` writes every element of its y slab (y is not zero-filled first).
  static func mapSlabs<S: Scalar>(_ x: [S], _ g: Geometry, _ body: @Sendable (UnsafeMutablePointer<S>, UnsafeMutablePointer<S>) -> Void) -> [S] {
    [S](unsafeUninitializedCapacity: g.outH * g.outW * g.slabs) { ys, initialized in
      x.withUnsafeBufferPointer { xs in
        guard let xr = SendableRef(xs), let yr = SendableRef(ys) else { return }
        Parallel.forEach(g.slabs) { slab in body(xr.pointer + slab * g.h * g.w, yr.pointer + slab * g.outH * g.outW) }
      }
      initialized = ys.count
    }
  }

  /// The common case — 2×2 windows, stride 2, no padding — with the window unrolled: four
  /// loads per output and no bounds, so the loop is a straight stream through memory.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func forward2x2<S: Scalar>(_ x: [S], _ g: Geometry, method: Pool.Method) -> [S]? {
    guard isTiled2x2(g) else { return nil }
    return mapSlabs(x, g) { xp, yp in
      for oj in 0..<g.outW {
        let c0 = xp + 2 * oj * g.h
        let c1 = c0 + g.h
        let out = yp + oj * g.outH
        for oi in 0..<g.outH {
          let a = c0[2 * oi]
          let b = c0[2 * oi + 1]
          let c = c1[2 * oi]
          let d = c1[2 * oi + 1]
          let best = max(max(a, b), max(c, d))
          let average = (a + b + c + d) * S(0.25)
          out[oi] = method == .max ? best : method == .avg ? average : best + average
        }
      }
    }
  }

  /// Whether the windows are 2×2 with stride 2 and no padding (the tiling the unrolled kernel
  /// handles). The backward pass keeps the general kernel: unrolled 2×2 versions measured slower
  /// here, both a scatter (11 against 9 ms on 64×64×64×16) and a gather that writes each entry
  /// once with branch-free argmax (8.2–9.1 against 7.2–7.4 ms, three alternating runs).
  static func isTiled2x2(_ g: Geometry) -> Bool {
    g.outH == g.h / 2 && g.outW == g.w / 2
      && g.rows.enumerated().allSatisfy({ $1 == 2 * $0..<2 * $0 + 2 }) && g.cols.enumerated().allSatisfy({ $1 == 2 * $0..<2 * $0 + 2 })
  }

  /// dz/dx: each window's dz/dy to its first maximum (column-major order) and/or spread evenly
  /// over its in-bounds samples; overlapping windows add. Each slab of dz/dx is zeroed by the
  /// core that then adds into it, while it is in that core's cache (one pass over memory, not a
  /// serial memset first).
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func backward<S: Scalar>(_ x: [S], _ dzdy: [S], _ g: Geometry, method: Pool.Method) -> [S] {
    if method == .max, isTiled2x2(g) { return maxBackward2x2(x, dzdy, g) }
    return [S](unsafeUninitializedCapacity: x.count) { ds, initialized in
      x.withUnsafeBufferPointer { xs in
        dzdy.withUnsafeBufferPointer { gs in
          guard let xr = SendableRef(xs), let gr = SendableRef(gs), let dr = SendableRef(ds) else { return }
          Parallel.forEach(g.slabs) { slab in
            let xp = xr.pointer + slab * g.h * g.w
            let dp = dr.pointer + slab * g.h * g.w
            let gp = gr.pointer + slab * g.outH * g.outW
            dp.initialize(repeating: 0, count: g.h * g.w)
            for oj in 0..<g.outW {
              let cols = g.cols[oj]
              for oi in 0..<g.outH {
                let rows = g.rows[oi]
                let grad = gp[oj * g.outH + oi]
                if method != .avg {
                  var best = -S.infinity
                  var at = -1
                  for c in cols {
                    for r in rows where xp[c * g.h + r] > best {
                      best = xp[c * g.h + r]
                      at = c * g.h + r
                    }
                  }
                  if at >= 0 { dp[at] += grad }
                }
                if method != .max {
                  let share = grad / S(rows.count * cols.count)
                  for c in cols { for r in rows { dp[c * g.h + r] += share } }
                }
              }
            }
          }
        }
      }
      initialized = ds.count
    }
  }

  /// Max pooling's dz/dx for 2×2 windows with stride 2 (Xu (7)–(8): the error goes to the
  /// window's maximum, the first one in column-major order on ties): each window reads its four
  /// x, writes its four dz/dx — the gradient at the argmax, zeros elsewhere — so every entry of
  /// dz/dx is written exactly once, two columns and four windows at a time.
  @_specialize(where S == Float)
  @_specialize(where S == Double)
  static func maxBackward2x2<S: Scalar>(_ x: [S], _ dzdy: [S], _ g: Geometry) -> [S] {
    [S](unsafeUninitializedCapacity: x.count) { ds, initialized in
      x.withUnsafeBufferPointer { xs in
        dzdy.withUnsafeBufferPointer { gs in
          guard let xr = SendableRef(xs), let gr = SendableRef(gs), let dr = SendableRef(ds) else { return }
          Parallel.forEach(g.slabs) { slab in
            let xp = xr.pointer + slab * g.h * g.w
            let dp = dr.pointer + slab * g.h * g.w
            let gp = gr.pointer + slab * g.outH * g.outW
            for oj in 0..<g.outW {
              let (x0, x1) = (xp + 2 * oj * g.h, xp + (2 * oj + 1) * g.h)
              let (d0, d1) = (dp + 2 * oj * g.h, dp + (2 * oj + 1) * g.h)
              let column = gp + oj * g.outH
              // Four windows at a time in SIMD lanes: comparisons become masks and blends, not
              // branches (on random data a branch per comparison mispredicts half the time,
              // which made this kernel 4× slower than its memory traffic).
              var oi = 0
              while oi + 4 <= g.outH {
                let top = SIMDMemory.load(x0 + 2 * oi, as: SIMD8<S>.self)
                let bottom = SIMDMemory.load(x1 + 2 * oi, as: SIMD8<S>.self)
                let (a, b, c, d) = (top.evenHalf, top.oddHalf, bottom.evenHalf, bottom.oddHalf)
                let grad = SIMDMemory.load(column + oi, as: SIMD4<S>.self)
                let zero = SIMD4<S>()
                let ab = b .> a
                let cd = d .> c
                let right = c.replacing(with: d, where: cd) .> a.replacing(with: b, where: ab)
                let (ga, gb) = (zero.replacing(with: grad, where: .!right .& .!ab), zero.replacing(with: grad, where: .!right .& ab))
                let (gc, gd) = (zero.replacing(with: grad, where: right .& .!cd), zero.replacing(with: grad, where: right .& cd))
                SIMDMemory.store(SIMD8(ga[0], gb[0], ga[1], gb[1], ga[2], gb[2], ga[3], gb[3]), d0 + 2 * oi)
                SIMDMemory.store(SIMD8(gc[0], gd[0], gc[1], gd[1], gc[2], gd[2], gc[3], gd[3]), d1 + 2 * oi)
                oi += 4
              }
              for oi in oi..<g.outH {
                let (a, b, c, d) = (x0[2 * oi], x0[2 * oi + 1], x1[2 * oi], x1[2 * oi + 1])
                let grad = column[oi]
                // The first maximum in the order a, b, c, d (column-major).
                let ab = b > a
                let cd = d > c
                let right = (cd ? d : c) > (ab ? b : a)
                d0[2 * oi] = !right && !ab ? grad : 0
                d0[2 * oi + 1] = !right && ab ? grad : 0
                d1[2 * oi] = right && !cd ? grad : 0
                d1[2 * oi + 1] = right && cd ? grad : 0
              }
            }
            // An odd height or width leaves a last row or column outside every window.
            if g.h > 2 * g.outH { for j in 0..<g.w { dp[j * g.h + g.h - 1] = 0 } }
            if g.w > 2 * g.outW { (dp + (g.w - 1) * g.h).update(repeating: 0, count: g.h) }
          }
        }
      }
      initialized = ds.count
    }
  }
}

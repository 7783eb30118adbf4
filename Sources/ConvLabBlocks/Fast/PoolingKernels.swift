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
          var best = -S.infinity, sum: S = 0
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
        let c0 = xp + 2 * oj * g.h, c1 = c0 + g.h, out = yp + oj * g.outH
        for oi in 0..<g.outH {
          let a = c0[2 * oi], b = c0[2 * oi + 1], c = c1[2 * oi], d = c1[2 * oi + 1]
          let best = max(max(a, b), max(c, d)), average = (a + b + c + d) * S(0.25)
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
    [S](unsafeUninitializedCapacity: x.count) { ds, initialized in
      x.withUnsafeBufferPointer { xs in
        dzdy.withUnsafeBufferPointer { gs in
          guard let xr = SendableRef(xs), let gr = SendableRef(gs), let dr = SendableRef(ds) else { return }
          Parallel.forEach(g.slabs) { slab in
            let xp = xr.pointer + slab * g.h * g.w, dp = dr.pointer + slab * g.h * g.w, gp = gr.pointer + slab * g.outH * g.outW
            dp.initialize(repeating: 0, count: g.h * g.w)
            for oj in 0..<g.outW {
              let cols = g.cols[oj]
              for oi in 0..<g.outH {
                let rows = g.rows[oi]
                let grad = gp[oj * g.outH + oi]
                if method != .avg {
                  var best = -S.infinity, at = -1
                  for c in cols { for r in rows where xp[c * g.h + r] > best { best = xp[c * g.h + r]; at = c * g.h + r } }
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
}

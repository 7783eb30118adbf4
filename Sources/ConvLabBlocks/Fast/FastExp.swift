import ConvLabCore

/// e^x in Float32 without a library call, so that loops over tensors vectorize: Cody–Waite
/// range reduction x = n ln 2 + r with |r| ≤ ½ ln 2 (ln 2 split in a high part exact in Float
/// and a low correction), a degree-6 minimax polynomial for e^r (Cephes' expf coefficients),
/// and 2ⁿ built in the exponent bits. Relative error ≤ 2 ulp on [−87.3, 88.3]; inputs outside
/// are clamped there (e^x then over- or under-states a result that is already ≥ 2¹²⁷ or
/// ≤ 2⁻¹²⁶, which a sigmoid turns into 0 or 1 either way).
enum FastExp {
  @inline(__always)
  static func exp(_ v: Float) -> Float {
    // Written so that LLVM vectorizes a loop over it: selects instead of min/max (whose NaN
    // rules block it), rounding by adding and subtracting 1.5·2²³ (`rounded()` is a call to
    // roundevenf on baseline x86-64), and n read back from t's low mantissa bits instead of a
    // checked Int32(n) conversion.
    let clampedBelow = v < -87.3 ? -87.3 : v
    let x = clampedBelow > 88.3 ? 88.3 : clampedBelow
    let t = x * 1.442_695_04 + 12_582_912
    let n = t - 12_582_912
    let r = (x - n * 0.693_359_375) - n * -2.121_944_4e-4
    var p: Float = 1.987_569_15e-4
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    p = p * r * r + r + 1
    return p * Float(bitPattern: (t.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
  }

  /// The same e^x on 8 lanes, written with SIMD types: two independent 4-lane chains per call on
  /// SSE, so the processor overlaps their multiply–add latencies (the auto-vectorized scalar loop
  /// ran one chain per iteration at 1.3 instructions per cycle).
  @inline(__always)
  static func exp(_ v: SIMD8<Float>) -> SIMD8<Float> {
    let x = v.replacing(with: -87.3, where: v .< -87.3).replacing(with: 88.3, where: v .> 88.3)
    let t = x * 1.442_695_04 + 12_582_912
    let n = t - 12_582_912
    let r = (x - n * 0.693_359_375) - n * -2.121_944_4e-4
    var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    p = p * r * r + r + 1
    let exponent = (unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000 &+ 127) &<< 23
    return p * unsafeBitCast(exponent, to: SIMD8<Float>.self)
  }

  @inline(__always)
  static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }

  @inline(__always)
  static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self) }

  /// σ(x) = 1/(1 + e^{−x}) for every entry, 16 at a time (two 8-lane vectors), then the tail.
  static func sigmoid(_ x: Tensor<Float>) -> Tensor<Float> {
    Tensor(shape: x.shape) { ys in
      x.storage.withUnsafeBufferPointer { xs in
        guard let xr = SendableRef(xs), let yr = SendableRef(ys) else { return }
        Parallel.forEachRange(xs.count) { range in
          let (xp, yp) = (xr.pointer, yr.pointer)
          var k = range.lowerBound
          while k + 16 <= range.upperBound {
            let (e0, e1) = (exp(-load(xp + k)), exp(-load(xp + k + 8)))
            store(1 / (1 + e0), yp + k)
            store(1 / (1 + e1), yp + k + 8)
            k += 16
          }
          for k in k..<range.upperBound { yp[k] = 1 / (1 + exp(-xp[k])) }
        }
      }
    }
  }

  /// dz/dx = dz/dy ∘ σ(x)(1 − σ(x)), with 1 − σ(x) = e^{−x} σ(x) so that the product keeps its
  /// relative accuracy where σ(x) rounds to 1 in Float32 (x ≳ 9).
  static func sigmoidBackward(_ x: Tensor<Float>, _ g: Tensor<Float>) -> Tensor<Float> {
    Tensor(shape: x.shape) { ds in
      x.storage.withUnsafeBufferPointer { xs in
        g.storage.withUnsafeBufferPointer { gs in
          guard let xr = SendableRef(xs), let gr = SendableRef(gs), let dr = SendableRef(ds) else { return }
          Parallel.forEachRange(xs.count) { range in
            let (xp, gp, dp) = (xr.pointer, gr.pointer, dr.pointer)
            var k = range.lowerBound
            while k + 16 <= range.upperBound {
              let (e0, e1) = (exp(-load(xp + k)), exp(-load(xp + k + 8)))
              let (y0, y1) = (1 / (1 + e0), 1 / (1 + e1))
              store(load(gp + k) * (e0 * y0) * y0, dp + k)
              store(load(gp + k + 8) * (e1 * y1) * y1, dp + k + 8)
              k += 16
            }
            for k in k..<range.upperBound {
              let e = exp(-xp[k]), y = 1 / (1 + e)
              dp[k] = gp[k] * (e * y) * y
            }
          }
        }
      }
    }
  }
}

import ConvLabCore
import ConvLabNotation

/// The fast im2row/row2im kernels: the same index map t(p, q) as the literal `Im2Row`
/// (MatConvNet §6.1), walked once with precomputed in-bounds ranges instead of testing every
/// tap (Milisavljevic eq. 1–2: "serialization" of patches so that convolution is one GEMM).
///
/// Buffers are column-major (H″W″) × (H′W′D): column q holds tap (i′, j′, d) of every patch.
struct PatchMatrix {
  let geometry: FilterGeometry
  let h: Int, w: Int, d: Int
  let outH: Int, outW: Int

  init(geometry: FilterGeometry, h: Int, w: Int, d: Int) throws {
    self.geometry = geometry
    self.h = h
    self.w = w
    self.d = d
    (outH, outW) = try geometry.outputSize(h: h, w: w)
  }

  var rows: Int { outH * outW }
  var cols: Int { geometry.rows.size * geometry.cols.size * d }

  /// Output indices o (0-based) whose tap t reads inside [0, length): S·o + D·t − P⁻ ∈ [0, length).
  @inline(__always)
  static func validOutputs(_ axis: FilterAxis, tap: Int, length: Int, outputs: Int) -> Range<Int> {
    let offset = axis.dilation * tap - axis.padBefore
    // S·o + offset ≥ 0  ⇔  o ≥ ⌈−offset / S⌉ ;  S·o + offset ≤ length − 1  ⇔  o ≤ ⌊(length − 1 − offset)/S⌋.
    let lo = offset >= 0 ? 0 : (-offset + axis.stride - 1) / axis.stride
    let hiNumerator = length - 1 - offset
    let hi = hiNumerator < 0 ? -1 : min(outputs - 1, hiNumerator / axis.stride)
    return lo <= hi ? lo..<(hi + 1) : 0..<0
  }

  /// Visits every in-bounds (buffer index, input index) pair of one image's channels; the
  /// buffer's column q starts at q·ld (ld ≥ rows lets several images share one matrix).
  @inline(__always)
  func forEachTap(ld: Int, _ body: (Int, Int) -> Void) {
    let kh = geometry.rows.size, kw = geometry.cols.size
    let (sh, sw) = (geometry.rows.stride, geometry.cols.stride)
    for c in 0..<d {
      for j1 in 0..<kw {
        let cols = Self.validOutputs(geometry.cols, tap: j1, length: w, outputs: outW)
        let jOffset = geometry.cols.dilation * j1 - geometry.cols.padBefore
        for i1 in 0..<kh {
          let q = i1 + kh * (j1 + kw * c)
          let rowsRange = Self.validOutputs(geometry.rows, tap: i1, length: h, outputs: outH)
          if rowsRange.isEmpty { continue }
          let iOffset = geometry.rows.dilation * i1 - geometry.rows.padBefore
          for j2 in cols {
            let inputColumn = (sw * j2 + jOffset) * h + c * h * w
            let bufferColumn = q * ld + j2 * outH
            for i2 in rowsRange { body(bufferColumn + i2, inputColumn + sh * i2 + iOffset) }
          }
        }
      }
    }
  }

  /// buffer ← φ(x) for `d` channels starting at `x` (zeros where taps fall in the padding),
  /// written as rows 0..<rows of a matrix with leading dimension `ld`.
  func im2row<S: Scalar>(_ x: UnsafePointer<S>, into buffer: UnsafeMutablePointer<S>, ld: Int) {
    for q in 0..<cols { (buffer + q * ld).update(repeating: 0, count: rows) }
    forEachTap(ld: ld) { b, i in buffer[b] = x[i] }
  }

  /// dx += φ*(M): each patch entry added back to the pixel it came from.
  func row2imAdd<S: Scalar>(_ m: UnsafePointer<S>, ld: Int, into dx: UnsafeMutablePointer<S>) {
    forEachTap(ld: ld) { b, i in dx[i] += m[b] }
  }
}

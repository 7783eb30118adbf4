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

  /// Visits every tap q = (i′, j′, c) of φ's index map once: its in-bounds output columns and
  /// rows, and the input offset of output (row 0, column 0) — row r of column j″ reads input
  /// offset + S_w·j″·h + S_h·r. Both walks below are this one, per column or per tap.
  @inline(__always)
  func forEachTapRange(_ body: (_ q: Int, _ cols: Range<Int>, _ rows: Range<Int>, _ input: Int) -> Void) {
    let kh = geometry.rows.size, kw = geometry.cols.size
    for c in 0..<d {
      for j1 in 0..<kw {
        let cols = Self.validOutputs(geometry.cols, tap: j1, length: w, outputs: outW)
        let jOffset = geometry.cols.dilation * j1 - geometry.cols.padBefore
        for i1 in 0..<kh {
          let rows = Self.validOutputs(geometry.rows, tap: i1, length: h, outputs: outH)
          let iOffset = geometry.rows.dilation * i1 - geometry.rows.padBefore
          body(i1 + kh * (j1 + kw * c), cols, rows, jOffset * h + c * h * w + iOffset)
        }
      }
    }
  }

  /// Visits every run of the buffer: for each tap q and output column j″, the column of outH
  /// entries at buffer offset `q·ld + j″·outH`, its in-bounds rows `rows` (empty when the tap's
  /// input column falls in the padding) and the input offset of row 0 (rows step by the
  /// vertical stride in the input). The buffer's column q starts at q·ld (ld ≥ rows lets several
  /// images share one matrix).
  @inline(__always)
  func forEachRun(ld: Int, _ body: (_ buffer: Int, _ rows: Range<Int>, _ input: Int) -> Void) {
    let sw = geometry.cols.stride
    forEachTapRange { q, cols, rows, input in
      for j2 in 0..<outW { body(q * ld + j2 * outH, cols.contains(j2) ? rows : 0..<0, input + sw * j2 * h) }
    }
  }

  /// Whether a tap's runs for consecutive output columns sit back to back in the input as they
  /// do in the buffer (stride 1 and an output as high as the input: "same" padding, as in every
  /// 3×3 pad-1 layer). Then all of a tap's columns are one contiguous copy (`forEachBlock`).
  var columnsAreContiguous: Bool { geometry.rows.stride == 1 && geometry.cols.stride == 1 && outH == h }

  /// For each tap q when `columnsAreContiguous`: the buffer offset of its first in-bounds output
  /// column `cols.lowerBound`, those columns, the in-bounds rows of every column, and the input
  /// offset that row 0 of that first column reads (row r of column cols.lowerBound + k reads
  /// input + k·h + r).
  @inline(__always)
  func forEachBlock(ld: Int, _ body: (_ q: Int, _ buffer: Int, _ cols: Range<Int>, _ rows: Range<Int>, _ input: Int) -> Void) {
    forEachTapRange { q, cols, rows, input in
      body(q, q * ld + cols.lowerBound * outH, cols, rows, input + cols.lowerBound * h)
    }
  }

  /// buffer ← φ(x) for `d` channels starting at `x` (zeros where taps fall in the padding),
  /// written as rows 0..<rows of a matrix with leading dimension `ld`. Each entry is written
  /// once (no zero-fill first), and with stride 1 a run is a straight copy the compiler vectorizes.
  func im2row<S: Scalar>(_ x: UnsafePointer<S>, into buffer: UnsafeMutablePointer<S>, ld: Int) {
    let outH = self.outH
    if columnsAreContiguous {
      forEachBlock(ld: ld) { q, b, cols, rows, i in
        let column = buffer + q * ld
        guard !rows.isEmpty, !cols.isEmpty else { column.update(repeating: 0, count: outH * outW); return }
        // Columns left and right of the in-bounds ones read only padding.
        column.update(repeating: 0, count: cols.lowerBound * outH)
        (column + cols.upperBound * outH).update(repeating: 0, count: (outW - cols.upperBound) * outH)
        // One copy from the first column's first in-bounds row to the last column's last; it
        // stays inside the channel, and the rows it fills that are padding for their column
        // (the neighbouring column's edge) are zeroed after.
        let (first, last) = (rows.lowerBound, (cols.count - 1) * outH + rows.upperBound)
        let (out, source) = (buffer + b, x + i)
        for t in first..<last { out[t] = source[t] }
        for k in 0..<cols.count {
          let run = out + k * outH
          for r in 0..<rows.lowerBound { run[r] = 0 }
          for r in rows.upperBound..<outH { run[r] = 0 }
        }
      }
      return
    }
    let sh = geometry.rows.stride
    forEachRun(ld: ld) { b, rows, i in
      let out = buffer + b
      if rows.isEmpty { out.update(repeating: 0, count: outH); return }
      for r in 0..<rows.lowerBound { out[r] = 0 }
      if sh == 1 {
        let source = x + i
        for r in rows { out[r] = source[r] }
      } else {
        for r in rows { out[r] = x[i + sh * r] }
      }
      for r in rows.upperBound..<outH { out[r] = 0 }
    }
  }

  /// dx += φ*(M): each patch entry added back to the pixel it came from. M is the caller's
  /// scratch buffer: with contiguous columns its entries for padding taps are zeroed first, so
  /// that a tap's columns add back as one contiguous run.
  func row2imAdd<S: Scalar>(_ m: UnsafeMutablePointer<S>, ld: Int, into dx: UnsafeMutablePointer<S>) {
    if columnsAreContiguous {
      let outH = self.outH
      forEachBlock(ld: ld) { _, b, cols, rows, i in
        guard !rows.isEmpty, !cols.isEmpty else { return }
        let (run, target) = (m + b, dx + i)
        for k in 0..<cols.count {
          let column = run + k * outH
          for r in 0..<rows.lowerBound { column[r] = 0 }
          for r in rows.upperBound..<outH { column[r] = 0 }
        }
        for t in rows.lowerBound..<((cols.count - 1) * outH + rows.upperBound) { target[t] += run[t] }
      }
      return
    }
    let sh = geometry.rows.stride
    forEachRun(ld: ld) { b, rows, i in
      let run = m + b
      if sh == 1 {
        let target = dx + i
        for r in rows { target[r] += run[r] }
      } else {
        for r in rows { dx[i + sh * r] += run[r] }
      }
    }
  }
}

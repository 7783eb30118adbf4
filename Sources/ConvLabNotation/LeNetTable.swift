import ConvLabCore

/// LeNet-5's S2 → C3 connection table (Xu Table 1, from LeCun et al. 1998): which of the 6
/// S2 maps (rows i) feed which of the 16 C3 maps (columns j). 0-based map numbers, as in
/// the paper's table.
public enum LeNetTable {
  /// The table as printed: an X marks a connection.
  public static let rows: [String] = [
    "X---XXX--XXXX-XX",
    "XX---XXX--XXXX-X",
    "XXX---XXX--X-XXX",
    "-XXX--XXXX--X-XX",
    "--XXX--XXXX-XX-X",
    "---XXX--XXXX-XXX",
  ]

  /// Number of S2 maps (rows) and C3 maps (columns).
  public static let inputMaps = 6
  public static let outputMaps = 16

  /// Whether S2 map i feeds C3 map j.
  public static func connected(_ i: Int, _ j: Int) -> Bool {
    let row = Array(rows[i])
    return row[j] == "X"
  }

  /// M_j = {i | S2 map i is connected to C3 map j}: the inputs of output map j (Xu (1)).
  public static func inputs(of j: Int) -> [Int] { (0..<inputMaps).filter { connected($0, j) } }

  /// M_i = {j | C3 map j is fed by S2 map i}: where input map i's error comes from (Xu §3.2,
  /// Xu (17)–(18)).
  public static func outputs(of i: Int) -> [Int] { (0..<outputMaps).filter { connected(i, $0) } }

  /// The number of X marks: one K × K kernel per connection (Xu §2.1: 60).
  public static var kernelCount: Int { (0..<outputMaps).reduce(0) { $0 + inputs(of: $1).count } }

  /// Trainable parameters between S2 and C3 with K × K kernels and one bias per output map:
  /// kernels·K² + 16 (Xu §2.1: 60·5·5 + 16 = 1516).
  public static func parameterCount(kernelSize k: Int = 5) -> Int { kernelCount * k * k + outputMaps }

  /// The table as a 0/1 mask, rows = input maps, columns = output maps.
  public static func mask<S: Scalar>(_: S.Type = S.self) -> Matrix<S> {
    Matrix(rows: inputMaps, cols: outputMaps) { i, j in connected(i, j) ? 1 : 0 }
  }
}

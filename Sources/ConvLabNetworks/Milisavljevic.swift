import ConvLabBlocks

/// Milisavljevic §4's experiments: which networks each table compares, and the paper's EMNIST
/// numbers to print beside ours.
public enum MilisavljevicExperiment {
  public struct Row: Sendable {
    /// The row's label in the paper's table.
    public var label: String
    public var spec: String
    /// The paper's test accuracy on EMNIST (a fraction), and its runtime to the best model (s).
    public var paperAccuracy: Double
    public var paperSecondsToBest: Double?
  }

  public struct Table: Sendable {
    public var number: Int
    public var title: String
    public var rows: [Row]
  }

  static let f64 = [64, 64, 64, 64]

  public static let tables: [Table] = [
    Table(
      number: 1, title: "architectures (Table 1)",
      rows: [
        Row(label: "Fully-Connected", spec: Models.fullyConnected, paperAccuracy: 0.816, paperSecondsToBest: 70),
        Row(label: "No Pooling", spec: Models.milisavljevic(.none), paperAccuracy: 0.883, paperSecondsToBest: 1269),
        Row(label: "Stride", spec: Models.milisavljevic(.stride(2)), paperAccuracy: 0.877, paperSecondsToBest: 185),
        Row(label: "Dilation", spec: Models.milisavljevic(.dilation(offset: 2, constant: false)), paperAccuracy: 0.883, paperSecondsToBest: 576),
        Row(label: "Max Pooling", spec: Models.milisavljevic(.pool(.max, [2])), paperAccuracy: 0.880, paperSecondsToBest: 209),
        Row(label: "Average Pooling", spec: Models.milisavljevic(.pool(.avg, [2])), paperAccuracy: 0.881, paperSecondsToBest: 504),
      ]),
    Table(
      number: 2, title: "stride (Table 2)",
      rows: [
        Row(label: "stride 2", spec: Models.milisavljevic(.stride(2)), paperAccuracy: 0.877, paperSecondsToBest: 185),
        Row(label: "stride 3", spec: Models.milisavljevic(.stride(3)), paperAccuracy: 0.874, paperSecondsToBest: 203),
        Row(label: "stride 4", spec: Models.milisavljevic(.stride(4)), paperAccuracy: 0.867, paperSecondsToBest: 222),
      ]),
    Table(number: 3, title: "number of filters (Table 3; the paper reports only its best two per method)", rows: filterRows),
    Table(
      number: 4, title: "pool size (Table 4)",
      rows: [
        Row(label: "max F 2", spec: Models.milisavljevic(.pool(.max, [2])), paperAccuracy: 0.880),
        Row(label: "max F 3", spec: Models.milisavljevic(.pool(.max, [3])), paperAccuracy: 0.877),
        Row(label: "max F 2→3", spec: Models.milisavljevic(.pool(.max, [2, 2, 3, 3])), paperAccuracy: 0.874),
        Row(label: "avg F 2", spec: Models.milisavljevic(.pool(.avg, [2])), paperAccuracy: 0.881),
        Row(label: "avg F 3", spec: Models.milisavljevic(.pool(.avg, [3])), paperAccuracy: 0.874),
        Row(label: "avg F 2→3", spec: Models.milisavljevic(.pool(.avg, [2, 2, 3, 3])), paperAccuracy: 0.878),
        Row(label: "max+avg F 2", spec: Models.milisavljevic(.pool(.maxavg, [2])), paperAccuracy: 0.880),
        Row(label: "max+avg F 3", spec: Models.milisavljevic(.pool(.maxavg, [3])), paperAccuracy: 0.877),
        Row(label: "max+avg F 2→3", spec: Models.milisavljevic(.pool(.maxavg, [2, 2, 3, 3])), paperAccuracy: 0.883),
      ]),
    Table(
      number: 5, title: "dilation (Table 5)",
      rows: [
        Row(label: "i+1", spec: Models.milisavljevic(.dilation(offset: 1, constant: false)), paperAccuracy: 0.885, paperSecondsToBest: 640),
        Row(label: "i+2", spec: Models.milisavljevic(.dilation(offset: 2, constant: false)), paperAccuracy: 0.883, paperSecondsToBest: 576),
        Row(label: "i+3 (pad 2)", spec: Models.milisavljevic(.dilation(offset: 3, constant: false)), paperAccuracy: 0.886, paperSecondsToBest: 741),
        Row(label: "constant 2", spec: Models.milisavljevic(.dilation(offset: 2, constant: true)), paperAccuracy: 0.886, paperSecondsToBest: 1426),
      ]),
  ]

  /// Table 3 lists, per method, the best (128 filters) and second best (64) models; the other
  /// filter counts were trained but not reported (NaN here).
  static var filterRows: [Row] {
    let methods: [(String, Models.Reduction, [Int: (Double, Double)])] = [
      ("stride", .stride(2), [128: (0.878, 303), 64: (0.877, 185)]),
      ("dilation", .dilation(offset: 2, constant: false), [128: (0.884, 1583), 64: (0.883, 576)]),
      ("max", .pool(.max, [2]), [128: (0.880, 270), 64: (0.880, 209)]),
      ("avg", .pool(.avg, [2]), [128: (0.882, 834), 64: (0.881, 504)]),
    ]
    let counts: [(String, [Int])] = [("16", [16, 16, 16, 16]), ("32", [32, 32, 32, 32]), ("64", f64), ("128", [128, 128, 128, 128]), ("16→128", [16, 32, 64, 128])]
    return methods.flatMap { name, reduction, paper in
      counts.map { label, filters in
        let p = filters.count == 4 && Set(filters).count == 1 ? paper[filters[0]] : nil
        return Row(label: "\(name) \(label)", spec: Models.milisavljevic(reduction, filters: filters), paperAccuracy: p?.0 ?? .nan, paperSecondsToBest: p?.1)
      }
    }
  }
}

import ConvLabCore
import Foundation

/// Labelled images in MatConvNet layout: `images` is H×W×1×N (column-major, so image n's
/// pixel (i, j) is images[i, j, 0, n]), `labels` are 0-based classes.
public struct Dataset: Sendable {
  public var images: Tensor<Float>
  public var labels: [Int]
  public let classes: Int

  public init(images: Tensor<Float>, labels: [Int], classes: Int) {
    precondition(images.shape.n == labels.count, "one label per image")
    self.images = images
    self.labels = labels
    self.classes = classes
  }

  public var count: Int { labels.count }
  public var imageShape: Shape { Shape(images.shape.h, images.shape.w, images.shape.d, 1) }

  /// The images and labels at `indices`, in that order.
  public func subset<C: Collection>(_ indices: C) -> Dataset where C.Element == Int {
    let per = imageShape.count
    var storage = [Float]()
    storage.reserveCapacity(per * indices.count)
    images.storage.withUnsafeBufferPointer { p in
      for i in indices { storage.append(contentsOf: p[(i * per)..<((i + 1) * per)]) }
    }
    let s = imageShape
    return Dataset(
      images: Tensor(shape: Shape(s.h, s.w, s.d, indices.count), storage: storage),
      labels: indices.map { labels[$0] }, classes: classes)
  }

  /// Reads an IDX image file (N×rows×cols, bytes) and its label file (N, bytes).
  /// EMNIST stores every image transposed; `transpose` undoes that.
  public init(imagesPath: String, labelsPath: String, transpose: Bool = false) throws {
    let img = try IDXArray(path: imagesPath)
    let lab = try IDXArray(path: labelsPath)
    guard img.dimensions.count == 3 else {
      throw ConvLabError("\(imagesPath) holds a \(img.dimensions.count)-dimensional array; images need 3 dimensions (count, rows, columns).")
    }
    guard lab.dimensions.count == 1 else {
      throw ConvLabError("\(labelsPath) holds a \(lab.dimensions.count)-dimensional array; labels need 1 dimension.")
    }
    let (n, rows, cols) = (img.dimensions[0], img.dimensions[1], img.dimensions[2])
    guard lab.dimensions[0] == n else {
      throw ConvLabError("\(imagesPath) has \(n) images but \(labelsPath) has \(lab.dimensions[0]) labels.")
    }
    let labels = try lab.unsignedBytes(name: labelsPath).map { Int($0) }
    let pixels = try img.unsignedBytes(name: imagesPath)
    // The images become Float: four bytes per pixel, checked before the tensor is allocated.
    try MemoryLimit.check(elements: [n, rows, cols], bytesPerElement: MemoryLayout<Float>.size, "the images of \(imagesPath)")
    let h = transpose ? cols : rows
    let w = transpose ? rows : cols
    var x = Tensor<Float>(shape: Shape(h, w, 1, n))
    // IDX is row-major: byte (r, c) of image m is at m·rows·cols + r·cols + c.
    pixels.withUnsafeBufferPointer { v in
      x.storage.withUnsafeMutableBufferPointer { out in
        for m in 0..<n {
          for r in 0..<rows {
            for c in 0..<cols {
              let i = transpose ? c : r
              let j = transpose ? r : c
              out[m * h * w + j * h + i] = Float(v[m * rows * cols + r * cols + c]) / 255
            }
          }
        }
      }
    }
    self.init(images: x, labels: labels, classes: (labels.max() ?? 0) + 1)
    self.labelsPath = labelsPath
  }

  /// Where the labels were read from (for error messages), when they came from a file.
  public private(set) var labelsPath: String?

  /// Checks that the labels name classes without gaps: every class between the smallest and
  /// the largest label has at least one image. A lone wrong label (200 among 0–9) would
  /// otherwise silently make a 201-class problem; this names it and the image it belongs to.
  public func checkContiguousLabels() throws {
    guard let low = labels.min(), let high = labels.max() else { return }
    var present = [Bool](repeating: false, count: high - low + 1)
    for l in labels { present[l - low] = true }
    // The first missing class splits the labels: those above it are the outliers.
    guard let gap = present.firstIndex(of: false).map({ $0 + low }) else { return }
    let below = labels.filter { $0 < gap }.max() ?? low
    let outlier = labels.filter { $0 > gap }.min() ?? high
    let index = labels.firstIndex(of: outlier) ?? 0
    throw ConvLabError(
      "\(labelsPath ?? "the labels"): label \(outlier) (item \(index + 1)) is out of range: the other labels are \(low)–\(below) and no item has a label between \(gap) and \(outlier - 1).")
  }

  /// Checks that every label is one of the training set's classes `range`.
  public func checkLabels(within range: ClosedRange<Int>, of training: String) throws {
    guard let index = labels.firstIndex(where: { !range.contains($0) }) else { return }
    throw ConvLabError("\(labelsPath ?? "the labels"): label \(labels[index]) (item \(index + 1)) is out of range: the training labels (\(training)) are \(range.lowerBound)–\(range.upperBound).")
  }
}

/// Training, validation and test sets as Milisavljevic §4 uses them: the validation set is held
/// out of the training images (chosen with a seed) and picks the best epoch; the test set is
/// only used at the end. Pixels are scaled to [0, 1] and then standardized with the training
/// set's mean and standard deviation.
public struct DataSplits: Sendable {
  public var train: Dataset
  public var validation: Dataset
  public var test: Dataset
  public var mean: Float
  public var std: Float
  public var source: String

  /// The default: Fashion-MNIST from Debian's `dataset-fashion-mnist` package.
  public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"

  /// Finds `train-images`, `train-labels`, `t10k-images`/`test-images` and
  /// `t10k-labels`/`test-labels` IDX files (plain or .gz) in `directory`.
  public static func files(in directory: String) throws -> (trainImages: String, trainLabels: String, testImages: String, testLabels: String) {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
      throw ConvLabError("the data folder \(directory) does not exist\(directory == defaultDirectory ? "; install Fashion-MNIST with `make setup` (Debian package dataset-fashion-mnist)" : "").")
    }
    func find(_ keys: [String]) throws -> String {
      let hits = names.filter { n in keys.contains { n.contains($0) } && n.contains("idx") }.sorted()
      guard let hit = hits.first else {
        throw ConvLabError("no IDX file matching \(keys.joined(separator: " or ")) in \(directory).")
      }
      return (directory as NSString).appendingPathComponent(hit)
    }
    return (try find(["train-images"]), try find(["train-labels"]), try find(["t10k-images", "test-images"]), try find(["t10k-labels", "test-labels"]))
  }

  /// Loads the data, holds out `validation` training images (seeded), keeps the first
  /// `subset` of the remaining training images when given.
  public static func load(directory: String = defaultDirectory, validation: Int, subset: Int? = nil, testSubset: Int? = nil, seed: UInt64) throws -> DataSplits {
    let f = try files(in: directory)
    let transpose = directory.lowercased().contains("emnist") || f.trainImages.lowercased().contains("emnist")
    let all = try Dataset(imagesPath: f.trainImages, labelsPath: f.trainLabels, transpose: transpose)
    var test = try Dataset(imagesPath: f.testImages, labelsPath: f.testLabels, transpose: transpose)
    try all.checkContiguousLabels()
    if let low = all.labels.min(), let high = all.labels.max() { try test.checkLabels(within: low...high, of: f.trainLabels) }
    guard test.imageShape == all.imageShape else {
      throw ConvLabError("training images are \(all.imageShape.h)×\(all.imageShape.w) but test images are \(test.imageShape.h)×\(test.imageShape.w).")
    }
    guard validation >= 1, validation < all.count else {
      throw ConvLabError.outOfRange(subject: "the split", setting: "validation", value: "\(validation)", allowed: "between 1 and \(all.count - 1) (the training file has \(all.count) images)")
    }
    var rng = SeededGenerator(seed: seed ^ 0x5EED_DA7A)
    var order = Array(0..<all.count)
    order.shuffle(using: &rng)
    let held = Set(order.prefix(validation))
    var trainIndices = (0..<all.count).filter { !held.contains($0) }
    if let k = subset {
      guard k >= 1 else { throw ConvLabError.outOfRange(subject: "the split", setting: "subset", value: "\(k)", allowed: "at least 1") }
      trainIndices = Array(trainIndices.prefix(k))
    }
    var train = all.subset(trainIndices)
    var val = all.subset(order.prefix(validation).sorted())
    if let k = testSubset { test = test.subset(0..<min(k, test.count)) }
    let classes = max(all.classes, test.classes)
    // Standardize with the training set's statistics.
    let n = Double(train.images.count)
    let mean = train.images.storage.reduce(0.0) { $0 + Double($1) } / n
    let variance = train.images.storage.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
    let std = Float(max(variance.squareRoot(), 1e-6))
    let m = Float(mean)
    train.images = train.images.map { ($0 - m) / std }
    val.images = val.images.map { ($0 - m) / std }
    test.images = test.images.map { ($0 - m) / std }
    return DataSplits(
      train: Dataset(images: train.images, labels: train.labels, classes: classes),
      validation: Dataset(images: val.images, labels: val.labels, classes: classes),
      test: Dataset(images: test.images, labels: test.labels, classes: classes),
      mean: m, std: std, source: directory)
  }
}

import ArgumentParser
import ConvLabBlocks
import ConvLabChecks
import ConvLabCore
import ConvLabNetworks
import Foundation

extension ConvLab {
  /// `convlab net init|grad|check|export`: a network defined outside ConvLab, its weights in a
  /// NumPy `.npz` (keys `<i>.w`, `<i>.b`, items of the spec counted from 1).
  struct Net: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "net",
      abstract: "Your own network: weights as .npz, its loss and every gradient, and a three-way check of it.",
      discussion:
        "Weights files are NumPy .npz archives (np.savez or np.savez_compressed) with keys <i>.w and <i>.b for the i-th ;-separated item of the spec, counted from 1, in MatConvNet layout: conv filters H×W×D×K, dense weights K×(H·W·D) on the column-major vec of the input, biases and Xu's β as vectors. See Docs/your-own-network.md.",
      subcommands: [Init.self, Grad.self, Check.self, Export.self])
  }
}

/// `--dtype float64|float32`.
enum NetPrecision: String, ExpressibleByArgument, CaseIterable {
  case float64, float32
}

/// What `net init` and `net check` share: the spec and the seed.
struct NetSpecArguments: ParsableArguments {
  @Option(help: "A network name (see convlab train --list-nets) or a spec such as \"conv 5x5x6; relu; pool max 2; dense 10; loss softmaxlog\".")
  var net: String
  @Option(help: "Seed of the initial weights (and of random inputs in net check).")
  var seed: UInt64 = 1
}

/// One image's size HxW or HxWxD, bounded before use.
func parseInputSize(_ text: String) throws -> Shape {
  let s = try Shape(parsing: text, option: "--input")
  guard s.n == 1 else { throw ConvLabError("--input '\(text)' is one image's size HxW or HxWxD, without a count.") }
  for d in s.dims { try Size.within(d, 1...Size.maxExtent, "a dimension of --input") }
  try MemoryLimit.check(elements: s.dims, bytesPerElement: 8, "one \(s) image")
  return s
}

extension ConvLab.Net {
  struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the initial weights of a network (He's normal rule from --seed, biases 0, Xu's β 1/n²) as .npz.")

    @OptionGroup var spec: NetSpecArguments
    @Option(help: "One image's size: HxW or HxWxD (e.g. 28x28 or 32x32x3).") var input: String
    @Option(help: "The .npz file to write.") var out: String
    @Option(help: "float64 or float32.") var dtype: NetPrecision = .float64
    @Flag(help: "Deflate the members, as np.savez_compressed does.") var compressed = false

    func run() throws {
      let shape = try parseInputSize(input)
      let network = try Network<Double>(spec: try Models.spec(spec.net), input: shape, classes: nil, seed: spec.seed)
      var archive = NetWeights.archive(network)
      if dtype == .float32 {
        archive = NPZArchive(archive.arrays.map { ($0.name, NPYArray(shape: $0.array.shape, values: $0.array.values.map { Double(Float($0)) }, descr: "<f4")) })
      }
      try archive.write(to: out, compressed: compressed)
      print("\(out): \(archive.arrays.map { "\($0.name) \($0.array.shape.map(String.init).joined(separator: "×"))" }.joined(separator: ", "))")
      print("network: \(network.spec.description) (\(network.parameterCount) parameters, \(network.classes) outputs)")
    }
  }

  struct Grad: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the loss (mean over images, as train minimizes it), dz/dx and the gradient of every weight as .npz.",
      discussion: "G.npz gets 'loss' (a scalar), 'x' (dz/dx, shaped like x) and every key of W.npz with its gradient. Float64 by default: this is a verification tool.")

    @Option(help: "A network name or a spec (as for train).") var net: String
    @Option(help: "Weights (.npz, keys <i>.w and <i>.b).") var weights: String
    @Option(help: "Input images x (.npy, H×W×D×N).") var x: String
    @Option(help: "Class labels, 1-based, one per image (.npy, any shape with N elements).") var labels: String?
    @Option(help: "Regression target (.npy, C·N values as 1×1×C×N or C×N), for mse, msle, l2, l1, mae, mape, bce.") var target: String?
    @Option(help: "The .npz file to write.") var out: String
    @Option(help: "float64 (default) or float32.") var dtype: NetPrecision = .float64
    @Flag(help: "Deflate the members, as np.savez_compressed does.") var compressed = false

    func run() throws {
      switch dtype {
      case .float64: try compute(Double.self)
      case .float32: try compute(Float.self)
      }
    }

    func compute<S: Scalar>(_: S.Type) throws {
      let images: Tensor<S> = try readTensor(x)
      let network = try loadNetwork(net: net, weights: weights, input: images.shape, as: S.self)
      let goal = try netTarget(labels: labels, target: target, as: S.self)
      let (z, dzdx, grads) = try network.objective(images, goal)
      var archive = NPZArchive([("loss", NPYArray(shape: [], values: [Double(z)], descr: S.npyDescr)), ("x", NPYArray(dzdx))])
      for (name, array) in NetWeights.archive(network, tensors: grads.map { ($0.dzdw, $0.dzdb) }).arrays { archive[name] = array }
      try archive.write(to: out, compressed: compressed)
      print("loss \(Double(z)) (mean over \(images.shape.n) image\(images.shape.n == 1 ? "" : "s"), \(network.spec.loss))")
      print("\(out): \(archive.arrays.map { "\($0.name) \($0.array.shape.isEmpty ? "scalar" : $0.array.shape.map(String.init).joined(separator: "×"))" }.joined(separator: ", "))")
    }
  }

  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check a network three ways: product of explicit block Jacobians, backprop, central finite differences.",
      discussion:
        "Per layer (each block at its place in the network) and end to end (dz/dx and every dz/dw), with the worst entry. Element-wise blocks keep diagonal Jacobians, pooling and subsampling sparse ones; a block whose Jacobian for one image exceeds the gate is checked by random projections vᵀJu instead. Finite differences cover up to --fd-entries entries of each array (a seeded sample beyond); an entry at a kink (ReLU at 0, a max-pool tie), where central differences of step h and h/2 disagree, is left out and counted. Tolerances: explicit vs backprop ≤ \(ThreeWayCheck.literalTolerance), finite differences ≤ \(ThreeWayCheck.finiteDifferenceTolerance)."
    )

    @OptionGroup var spec: NetSpecArguments
    @Option(help: "Weights (.npz); default: initial weights from --seed.") var weights: String?
    @Option(help: "Input images x (.npy); default: --images seeded random images of size --input.") var x: String?
    @Option(help: "Class labels, 1-based (.npy); default: seeded random classes.") var labels: String?
    @Option(help: "Regression target (.npy) instead of labels.") var target: String?
    @Option(help: "One image's size HxW or HxWxD when no --x is given.") var input: String?
    @Option(help: "Random images when no --x is given.") var images = 2
    @Option(name: .customLong("fd-entries"), help: "Finite differences on at most this many entries per array.") var fdEntries = 64

    func run() throws {
      try Size.within(images, 1...4096, "--images")
      try Size.within(fdEntries, 1...Size.maxExtent, "--fd-entries")
      var rng = SeededGenerator(seed: spec.seed &+ 17)
      let xs: Tensor<Double>
      if let x {
        guard input == nil else { throw ConvLabError("give either --x or --input, not both.") }
        xs = try readTensor(x)
      } else {
        guard let input else { throw ConvLabError("net check needs --x X.npy or --input HxWxD for random images.") }
        let s = try parseInputSize(input)
        try MemoryLimit.check(elements: [s.h, s.w, s.d, images], bytesPerElement: 8, "--images \(images) of \(s)")
        xs = .uniform(Shape(s.h, s.w, s.d, images), using: &rng)
      }
      var network: Network<Double>
      if let weights {
        network = try loadNetwork(net: spec.net, weights: weights, input: xs.shape, as: Double.self)
      } else {
        network = try Network<Double>(spec: try Models.spec(spec.net), input: Shape(xs.shape.h, xs.shape.w, xs.shape.d), classes: nil, seed: spec.seed)
      }
      let goal: NetTarget<Double>
      if labels != nil || target != nil {
        goal = try netTarget(labels: labels, target: target, as: Double.self)
      } else if network.loss is RegressionLoss {
        goal = .target(.uniform(Shape(1, 1, network.classes, xs.shape.n), in: 0.1...0.9, using: &rng))
      } else {
        goal = .labels(Tensor(shape: Shape(1, 1, 1, xs.shape.n), storage: (0..<xs.shape.n).map { _ in Double(Int.random(in: 1...network.classes, using: &rng)) }))
      }
      let started = Date()
      let check = try NetworkVerification(network: network, x: xs, target: goal, fdEntries: fdEntries, seed: spec.seed)
      print(Terminal.bold("network") + ": \(network.spec.description)")
      print("x \(xs.shape), \(network.parameterCount) parameters, objective z = \(check.loss) (mean \(network.spec.loss) over \(xs.shape.n) image\(xs.shape.n == 1 ? "" : "s"))")
      print("largest explicit Jacobian held: \(MemoryLimit.format(Double(check.largestJacobianBytes))) (one image at a time)")
      if !check.projectedItems.isEmpty {
        print(
          "above the Jacobian memory gate, checked by random projections vᵀJu (literal: J u from the explicit Jacobian built in column blocks under the gate): item\(check.projectedItems.count == 1 ? "" : "s") \(check.projectedItems.map(String.init).joined(separator: ", "))"
        )
      }
      print("\n" + Terminal.bold("per layer") + " (each block at its place: (dz/dx_l)ᵀ J against its backward pass, and that against finite differences)")
      printRows(check.layers)
      print("\n" + Terminal.bold("end to end") + " (dz/d· as the product of explicit Jacobians from the loss down vs backprop vs finite differences of z)")
      printRows(check.endToEnd)
      let failed = (check.layers + check.endToEnd).filter { !$0.passed }.count
      print("\n\(failed == 0 ? "all passed" : "\(failed) failed") (\(String(format: "%.1f", Date().timeIntervalSince(started))) s)")
      if failed > 0 { throw ExitCode.failure }
    }

    func printRows(_ rows: [NetworkVerification.Row]) {
      print("  item  block      var    Jacobian                           explicit↔backprop   backprop↔FD        FD entries")
      for r in rows {
        let literal = r.literalVsBackprop.map { "\(Terminal.verdict($0.passes(ThreeWayCheck.literalTolerance))) \(MatrixFormat.pad(formatScientific($0.relativeError), 9))" } ?? "  —        "
        let fd =
          r.checked == 0
          ? "  —        "
          : "\(Terminal.verdict(r.backpropVsFiniteDifferences.passes(ThreeWayCheck.finiteDifferenceTolerance))) \(MatrixFormat.pad(formatScientific(r.backpropVsFiniteDifferences.relativeError), 9))"
        print(
          "  \(MatrixFormat.pad(r.item == 0 ? "—" : "\(r.item)", 4))  \(r.block.padding(toLength: 9, withPad: " ", startingAt: 0))  \(r.variable.padding(toLength: 5, withPad: " ", startingAt: 0))  "
            + "\(r.form.padding(toLength: 33, withPad: " ", startingAt: 0))  \(literal)         \(fd)        \(r.checked == r.total ? "all \(r.total)" : "\(r.checked) of \(r.total)")\(r.atKinks > 0 ? " (\(r.atKinks) at kinks left out)" : "")"
        )
        if let p = r.projection {
          let value = { (v: Double?) in v.map { MatrixFormat.pad(formatScientific($0), 10) } ?? "         —" }
          let error =
            r.literalVsFiniteDifferences.map {
              "\(Terminal.verdict($0.passes(ThreeWayCheck.finiteDifferenceTolerance))) \(MatrixFormat.pad(formatScientific($0.relativeError), 9))"
            } ?? "—"
          print(
            "        vᵀJu: explicit \(value(p.literal))  backprop \(value(p.backprop))  FD \(value(p.finiteDifference))   explicit↔FD \(error)"
              + (p.literal == nil ? "  (no column-block Jacobian for \(r.block))" : ""))
        }
        for (label, c) in [
          ("explicit↔backprop", r.literalVsBackprop), ("backprop↔FD", Optional(r.backpropVsFiniteDifferences)),
          ("explicit↔FD", r.literalVsFiniteDifferences),
        ] {
          if let c, !c.passes(label == "explicit↔backprop" ? ThreeWayCheck.literalTolerance : ThreeWayCheck.finiteDifferenceTolerance) { print("        \(label): \(c)") }
        }
      }
    }
  }

  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the weights of a training run (its checkpoint.bin, or best.bin with --best) as .npz.")

    @Argument(help: ArgumentHelp("The run folder (as train --out wrote it).", valueName: "run-dir")) var folder: String
    @Option(help: "The .npz file to write.") var out: String
    @Flag(help: "Export best.bin (the best validation accuracy) instead of the last checkpoint.") var best = false
    @Flag(help: "Deflate the members, as np.savez_compressed does.") var compressed = false

    func run() throws {
      let path = folder + (best ? "/best.bin" : "/checkpoint.bin")
      let (trainer, header) = try Checkpoint.read(path, as: Double.self)
      let archive = NetWeights.archive(trainer.network)
      try archive.write(to: out, compressed: compressed)
      print("\(out): weights after epoch \(header.epochsDone) of \(path): \(archive.names.joined(separator: ", "))")
      print("network: \(header.spec)  (input \(header.input.prefix(3).map(String.init).joined(separator: "×")), trained in \(header.precision))")
    }
  }
}

/// The network of a spec with the weights of an `.npz`, for images of shape `input`.
func loadNetwork<S: Scalar>(net: String, weights: String, input: Shape, as _: S.Type) throws -> Network<S> {
  let archive = try NPZArchive(contentsOf: weights)
  var network = try Network<S>(spec: try Models.spec(net), input: Shape(input.h, input.w, input.d), classes: nil, seed: 0)
  try NetWeights.load(archive, into: &network, name: weights)
  return network
}

/// --labels or --target, exactly one.
func netTarget<S: Scalar>(labels: String?, target: String?, as _: S.Type) throws -> NetTarget<S> {
  switch (labels, target) {
  case (let l?, nil): return .labels(try readTensor(l))
  case (nil, let t?): return .target(try readTensor(t))
  case (nil, nil): throw ConvLabError("give the class labels (--labels C.npy) or a regression target (--target T.npy).")
  case (_?, _?): throw ConvLabError("give either --labels or --target, not both.")
  }
}

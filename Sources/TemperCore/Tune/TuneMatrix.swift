import TemperModel
import TemperSystem
import TemperStages
import Foundation

/// The matrix of `temper tune` as builds: which pipelines to run (one per distinct build, with
/// or without BOLT) and which measured row comes from which pipeline's tree. BOLT flag sets
/// are candidates of one BOLT pipeline, so a build is made once however many sets are measured.
public struct TuneMatrix: Sendable, Equatable {
    /// One pipeline run: a build configuration, with BOLT (non-PIE, candidates built and
    /// verified) or without (the ordinary PIE build).
    public struct Pipeline: Sendable, Equatable {
        public var build: TuneOverrides
        public var withBolt: Bool
        public var boltSets: [String]
        /// A BOLT build kept position-independent (`[bolt] pie = true`): BOLT then skips the
        /// functions whose jump tables were hoisted out of loops, but the result keeps ASLR.
        public var boltPIE = false

        /// Its work dir's name under the tune's: a digest of what decides it, so the same
        /// configuration finds its checkpoints again whatever the matrix around it.
        public var directoryName: String {
            let key = "\(build.pgo?.rawValue ?? "-")|\(build.lto?.rawValue ?? "-")|\(build.cflags?.joined(separator: " ") ?? "-")|\(build.compiler?.rawValue ?? "-")|\(withBolt)" + (boltPIE ? "|pie" : "")
            return (withBolt ? (boltPIE ? "boltpie-" : "bolt-") : "plain-") + String(FileDigest.sha256(of: Data(key.utf8)).prefix(12))
        }

        public var variant: ProfileVariant {
            ProfileVariant(overrides: build, bolt: withBolt ? .candidates(boltSets, pie: boltPIE) : .off)
        }
    }

    /// Where a measured row comes from.
    public enum Side: Sendable, Equatable {
        /// The pipeline's PGO+LTO build (the pre-BOLT build of a BOLT pipeline).
        case build
        /// A BOLT candidate of the pipeline, by flag set name.
        case candidate(String)
    }

    public struct Row: Sendable, Equatable {
        public var variant: TuneVariant
        public var pipeline: Int
        public var side: Side
    }

    public var pipelines: [Pipeline]
    public var rows: [Row]
    public var reference: String

    public static func expand(_ settings: TuneSettings) -> TuneMatrix {
        var pipelines: [Pipeline] = []
        var rows: [Row] = []
        func pipeline(_ build: TuneOverrides, bolt: Bool, pie: Bool = false) -> Int {
            if let index = pipelines.firstIndex(where: { $0.build == build && $0.withBolt == bolt && $0.boltPIE == pie }) { return index }
            pipelines.append(Pipeline(build: build, withBolt: bolt, boltSets: [], boltPIE: pie))
            return pipelines.count - 1
        }
        for variant in settings.variants {
            let overrides = variant.overrides
            if let set = overrides.bolt {
                let index = pipeline(overrides.build, bolt: true, pie: overrides.pie == true)
                if !pipelines[index].boltSets.contains(set) { pipelines[index].boltSets.append(set) }
                rows.append(Row(variant: variant, pipeline: index, side: .candidate(set)))
            } else {
                // Without PIE and without BOLT: the pre-BOLT build of a BOLT pipeline.
                rows.append(Row(variant: variant, pipeline: pipeline(overrides.build, bolt: !overrides.isPIE), side: .build))
            }
        }
        for index in pipelines.indices where pipelines[index].withBolt && pipelines[index].boltSets.isEmpty {
            pipelines[index].boltSets = [BoltFlagSet.defaultName]
        }
        return TuneMatrix(pipelines: pipelines, rows: rows, reference: settings.reference ?? settings.variants.first?.name ?? "")
    }

    /// The order pipelines run in: those that share training together, BOLT ones first (the
    /// first of a group trains and exports a bundle, with its BOLT profiles, for the others).
    public var runOrder: [Int] {
        pipelines.indices.sorted { a, b in
            let (left, right) = (pipelines[a], pipelines[b])
            let keys = (Self.key(left.build.trainingKey), Self.key(right.build.trainingKey))
            if keys.0 != keys.1 { return (firstIndex(ofTraining: left.build.trainingKey), a) < (firstIndex(ofTraining: right.build.trainingKey), b) }
            if left.withBolt != right.withBolt { return left.withBolt }
            return a < b
        }
    }

    func firstIndex(ofTraining key: TuneOverrides) -> Int {
        pipelines.firstIndex { $0.build.trainingKey == key } ?? 0
    }

    static func key(_ overrides: TuneOverrides) -> String { overrides.summary }
}

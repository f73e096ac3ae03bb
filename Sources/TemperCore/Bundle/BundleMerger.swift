import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
import Foundation

/// `temper bundle merge`: combines bundles trained on several machines (or shards) into one,
/// with `llvm-profdata merge --weighted-input` and `merge-fdata`, recording each part. The
/// same inputs give the same bytes: parts in the order given, one merge thread, no host or
/// clock of the merging machine in the manifest (it takes the newest part's time).
public struct BundleMerger: Sendable {
    let runner: any ProcessRunning

    public init(runner: any ProcessRunning = SubprocessRunner()) {
        self.runner = runner
    }

    /// "2,1,1": one positive integer per bundle.
    public static func parseWeights(_ text: String?, count: Int) throws -> [Int] {
        guard let text else { return Array(repeating: 1, count: count) }
        let fields = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let weights = try fields.map { field -> Int in
            guard let weight = Int(field), (1...1_000_000).contains(weight) else {
                throw BundleError.badWeights("`\(field)` is not a whole number from 1 to 1000000")
            }
            return weight
        }
        guard weights.count == count else {
            throw BundleError.badWeights("\(weights.count) weight(s) for \(count) bundle(s); give one per bundle, in the same order")
        }
        return weights
    }

    /// Multiplies the counts of an `.fdata` file's branch records by `weight` (merge-fdata has
    /// no weights). Lines of other kinds are kept as they are.
    public static func scaled(fdata: Data, by weight: Int) -> Data {
        guard weight != 1 else { return fdata }
        let text = String(decoding: fdata, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var fields = line.split(separator: " ").map(String.init)
            guard fields.count == 8, let mispredicts = Int(fields[6]), let count = Int(fields[7]) else { return String(line) }
            let (scaledMispredicts, overflowA) = mispredicts.multipliedReportingOverflow(by: weight)
            let (scaledCount, overflowB) = count.multipliedReportingOverflow(by: weight)
            fields[6] = String(overflowA ? Int.max : scaledMispredicts)
            fields[7] = String(overflowB ? Int.max : scaledCount)
            return fields.joined(separator: " ")
        }
        return Data(lines.joined(separator: "\n").utf8)
    }

    /// Multiplies the counts of a BOLT YAML profile (`exec`, `cnt`, `mis`) by `weight`, as
    /// `scaled(fdata:by:)` does for fdata; hashes, ids, offsets and names are kept as they are.
    public static func scaled(yaml: Data, by weight: Int) -> Data {
        guard weight != 1 else { return yaml }
        let counter = /(?<lead>^|[\s{,])(?<key>exec|cnt|mis):(?<space>[ ]+)(?<value>[0-9]+)/
        let text = String(decoding: yaml, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            // A name is a value, whatever it holds; only counters are scaled.
            let key = line.drop { $0 == " " || $0 == "-" }
            guard !key.hasPrefix("name:") else { return String(line) }
            return String(line.replacing(counter) { match in
                let scaled = Int(match.output.value).map { $0.multipliedReportingOverflow(by: weight) }
                let value = scaled.map { $0.overflow ? String(Int.max) : String($0.partialValue) } ?? String(Int.max)
                return "\(match.output.lead)\(match.output.key):\(match.output.space)\(value)"
            })
        }
        return Data(lines.joined(separator: "\n").utf8)
    }

    public func merge(_ paths: [String], weights: [Int], output: String, toolchain: Toolchain, bolt: BoltTools?) async throws -> BundleManifest {
        guard paths.count >= 2 else { throw BundleError.mismatch("give at least two bundles to merge") }
        try ProfileBundle.checkOutput(output)
        let bundles = try paths.map(ProfileBundle.read)
        let first = bundles[0].manifest
        for (path, bundle) in zip(paths, bundles).dropFirst() {
            guard bundle.manifest.profileName == first.profileName else {
                throw BundleError.mismatch("\(paths[0]) is for profile `\(first.profileName)` but \(path) for `\(bundle.manifest.profileName)`")
            }
            guard bundle.manifest.sources.digest == first.sources.digest else {
                throw BundleError.mismatch("\(path) was trained on other sources than \(paths[0]) (source digests \(bundle.manifest.sources.digest.prefix(12)) and \(first.sources.digest.prefix(12))); train every part on the same sources")
            }
        }
        guard toolchain.family == .clang else { throw BundleError.mismatch("merging needs an LLVM toolchain's llvm-profdata") }
        // Scratch space of its own under the temp directory: nothing beside the output is touched.
        let (manifest, files) = try await ScratchDirectory.with("merge") { scratch in
            try await merged(bundles, paths: paths, weights: weights, toolchain: toolchain, bolt: bolt, scratch: scratch)
        }
        try ProfileBundle(manifest: manifest, files: files).write(to: output)
        return manifest
    }

    func merged(_ bundles: [ProfileBundle], paths: [String], weights: [Int], toolchain: Toolchain, bolt: BoltTools?, scratch: String) async throws -> (BundleManifest, [String: Data]) {
        var inputs: [(weight: Int, path: String)] = []
        for (index, bundle) in bundles.enumerated() {
            let part = scratch + "/part-\(index).profdata"
            FileManager.default.createFile(atPath: part, contents: bundle.files[bundle.manifest.profile.file])
            inputs.append((weights[index], part))
        }
        let mergedPath = scratch + "/merged.profdata"
        let merge = ToolCommands.profdataMergeWeighted(toolchain.profdata.path, output: mergedPath, inputs: inputs, directory: scratch)
        let (merged, mergeText) = try await runner.capture(merge)
        guard merged.succeeded, let profile = FileManager.default.contents(atPath: mergedPath) else {
            // Name the bundles, not the scratch copies llvm-profdata read.
            var said = String(mergeText.suffix(600))
            for (index, path) in paths.enumerated() { said = said.replacingOccurrences(of: inputs[index].path, with: "the profile of \(path)") }
            throw BundleError.mismatch("llvm-profdata could not merge the bundles' profiles (\(merged.statusDescription)): \(said)")
        }
        let inspection = try await ProfileInspection.run(
            ProfileInspection.commands(profdata: toolchain.profdata.path, file: mergedPath, directory: scratch, show: ["--profile-version"]), runner: runner, requireShow: false)
        let summary = inspection.summary

        let first = bundles[0].manifest
        var files: [String: Data] = [BundleManifest.profileFile: profile]
        var manifest = first
        // A decision was made for one training; a merge of several is a new profile, so none is carried.
        manifest.decision = nil
        manifest.temperVersion = TemperVersion.current
        manifest.created = bundles.map(\.manifest.created).max() ?? first.created
        manifest.host = nil
        manifest.toolchain.profileFormatVersion = ProfileFormat.reported(inspection.text) ?? ProfileFormat.headerVersion(profile) ?? first.toolchain.profileFormatVersion
        if let newest = bundles.map(\.manifest.toolchain).max(by: { $0.llvmMajor < $1.llvmMajor }), newest.llvmMajor > manifest.toolchain.llvmMajor {
            manifest.toolchain = BundleManifest.ToolchainIdentity(
                compiler: newest.compiler, compilerPath: newest.compilerPath, compilerVersion: newest.compilerVersion, llvmMajor: newest.llvmMajor,
                profileFormatVersion: manifest.toolchain.profileFormatVersion)
        }
        manifest.training = bundles.flatMap(\.manifest.training)
        manifest.profile = .init(
            file: BundleManifest.profileFile, sha256: FileDigest.sha256(of: profile), functions: summary.functions ?? 0, totalCount: summary.totalCount,
            functionsExecuted: inspection.covered?.count)
        manifest.parts = zip(bundles, weights).map { bundle, weight in
            BundleManifest.Part(
                sha256: bundle.sha256, weight: weight, created: bundle.manifest.created, host: bundle.manifest.host,
                sourceDigest: bundle.manifest.sources.digest, tasks: bundle.manifest.training.map { "\($0.stage)/\($0.name)" })
        }
        manifest.bolt = try await mergeBolt(bundles, weights: weights, bolt: bolt, scratch: scratch, files: &files)
        return (manifest, files)
    }

    /// BOLT profiles of the artifacts every part has. The YAML form (what stale matching needs)
    /// merges only when every part was recorded on the same binary.
    func mergeBolt(_ bundles: [ProfileBundle], weights: [Int], bolt: BoltTools?, scratch: String, files: inout [String: Data]) async throws -> BundleManifest.Bolt? {
        let perBundle = bundles.map { bundle in Dictionary(uniqueKeysWithValues: (bundle.manifest.bolt?.profiles ?? []).map { ($0.artifact, $0) }) }
        let common = perBundle.dropFirst().reduce(Set(perBundle[0].keys)) { $0.intersection($1.keys) }.sorted()
        guard !common.isEmpty else { return nil }
        guard let bolt, bolt.mergeFdata != nil else {
            throw BundleError.mismatch("the bundles hold BOLT profiles, and merging them needs merge-fdata (install bolt-\(bundles[0].manifest.toolchain.llvmMajor))")
        }
        var profiles: [BundleManifest.BoltProfile] = []
        for artifact in common {
            func mergeFiles(_ name: String, _ inputs: [Data], into output: String) async throws -> Data {
                var paths: [String] = []
                for (index, data) in inputs.enumerated() {
                    let path = scratch + "/\(artifact)-\(index).\(name)"
                    FileManager.default.createFile(atPath: path, contents: data)
                    paths.append(path)
                }
                let command = ToolCommands.mergeFdata(bolt, output: scratch + "/" + output, inputs: paths, directory: scratch)
                let (outcome, text) = try await runner.capture(command)
                guard outcome.succeeded, let merged = FileManager.default.contents(atPath: scratch + "/" + output) else {
                    throw BundleError.mismatch("`\(command.displayString)` failed (\(outcome.statusDescription)): \(text.suffix(600))")
                }
                return merged
            }
            let entries = perBundle.map { $0[artifact]! }
            let fdatas = zip(bundles, entries).enumerated().map { index, pair in Self.scaled(fdata: pair.0.files[pair.1.fdata] ?? Data(), by: weights[index]) }
            let fdata = try await mergeFiles("fdata", fdatas, into: "\(artifact).fdata")
            var entry = BundleManifest.BoltProfile(artifact: artifact, fdata: "bolt/\(artifact).fdata", fdataSha256: FileDigest.sha256(of: fdata))
            files[entry.fdata] = fdata
            let dispatch = DispatchFunctions.find(fdata: String(decoding: fdata, as: UTF8.self))
            entry.dispatch = "bolt/\(artifact).dispatch"
            files[entry.dispatch!] = Data(dispatch.map { $0 + "\n" }.joined().utf8)
            let binaries = Set(entries.map(\.binarySha256))
            entry.binarySha256 = binaries.count == 1 ? binaries.first! : nil
            if entry.binarySha256 != nil, entries.allSatisfy({ $0.yaml != nil }) {
                let yamls = zip(bundles, entries).enumerated().map { index, pair in Self.scaled(yaml: pair.0.files[pair.1.yaml!] ?? Data(), by: weights[index]) }
                let yaml = try await mergeFiles("yaml", yamls, into: "\(artifact).yaml")
                entry.yaml = "bolt/\(artifact).yaml"
                files[entry.yaml!] = yaml
            }
            profiles.append(entry)
        }
        let selected = Set(bundles.map { $0.manifest.bolt?.selectedCandidate })
        return BundleManifest.Bolt(
            profiles: profiles, selectedCandidate: selected.count == 1 ? selected.first! : nil,
            selectionReason: selected.count == 1 ? bundles[0].manifest.bolt?.selectionReason : "the parts' selections differ")
    }
}

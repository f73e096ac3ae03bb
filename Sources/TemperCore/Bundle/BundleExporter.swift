import TemperModel
import TemperSystem
import TemperExecution
import TemperStages
import Foundation

/// `temper bundle export`: packs a work dir's merged profile, its BOLT profiles and the facts
/// needed to trust them elsewhere (toolchain, sources, training) into one bundle. It reads the
/// work dir's records only, under its lock, and refuses records that do not fit together.
public struct BundleExporter: Sendable {
    let runner: any ProcessRunning

    public init(runner: any ProcessRunning = SubprocessRunner()) {
        self.runner = runner
    }

    /// The tools a record ran with, from its recorded toolchain identity ("role=path@version").
    static func tools(fromIdentity identity: String) -> [String: (path: String, version: String)] {
        var tools: [String: (String, String)] = [:]
        for line in identity.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "="), let at = line.lastIndex(of: "@"), equals < at else { continue }
            tools[String(line[..<equals])] = (String(line[line.index(after: equals)..<at]), String(line[line.index(after: at)...]))
        }
        return tools
    }

    /// `decision`: a decision to carry instead of the one the work dir's last run applied
    /// (`temper tune` exports its training with the decision it made).
    /// `held`: the caller's lock on the work dir (a run exporting its own last training).
    public func export(workDir: WorkDir, to output: String, created: Date = Date(), decision carried: Data? = nil, holding held: WorkDirLock? = nil) async throws -> BundleManifest {
        try ProfileBundle.checkOutput(output)
        guard workDir.isTemperWorkDir, let state = try StateStore.load(path: workDir.stateFile) else {
            throw WorkDirError.notAWorkDir(root: workDir.root)
        }
        let lock = try held ?? WorkDirLock(workDir: workDir)
        defer { if held == nil { lock.release() } }
        func fail(_ reason: String) -> BundleError { .cannotExport(workDir: workDir.root, reason: reason) }
        // Only records that held for the last run count (report.json lists them): after
        // `--to train`, an older merge record is still "completed" but no longer current.
        guard let data = FileManager.default.contents(atPath: workDir.reportFile),
            let report = try? JSONDecoder().decode(RunReport.self, from: data)
        else {
            throw fail("it has no report.json (no run finished in it). Run `temper run PROFILE` first.")
        }
        let current = Set(report.stages.filter { $0.outcome == .executed || $0.outcome == .reused }.map(\.name))
        func completed(_ id: StageID?) -> StageRecord? {
            guard let id, current.contains(id.rawValue) else { return nil }
            return state.stages[id.rawValue].flatMap { $0.status == .completed ? $0 : nil }
        }
        // The stages' parts, as the run that made these records wired them: nothing here
        // assumes which stage is which.
        guard let roles = state.roles else {
            throw fail("its state was recorded by an older temper, without the stages' roles. Run `temper run PROFILE` again to record them.")
        }
        // A bundle's import stands for training: there is no training of its own to export.
        if let imported = roles.bundleImport, roles.profileData == imported {
            // After an edit the run built from this work dir's own last training, kept in its
            // cache as a bundle: that bundle is the training to export, as it is.
            if let digest = report.staleness?.sources.bundleSha256,
                let own = ((try? FileManager.default.contentsOfDirectory(atPath: workDir.cache)) ?? []).sorted()
                    .filter({ $0.hasPrefix("training-") && $0.hasSuffix(".bundle") }).map({ workDir.cache + "/" + $0 })
                    .first(where: { FileDigest.sha256(of: $0) == digest }),
                let bundle = try? ProfileBundle.read(path: own)
            {
                try bundle.write(to: output)
                return bundle.manifest
            }
            throw fail("it was built from a profile bundle (its import stage stands for training), so it has no training of its own. That bundle is its profile: use it as it is, or export from the work dir that trained.")
        }
        // The merged profile, or (after `temper run --to train`, one machine's share of the
        // shards) the training stage's raw profiles, merged here.
        guard let record = completed(roles.profileData) ?? completed(roles.training) else {
            throw fail("its training stage has not completed. Run `temper run PROFILE --to train` (or the whole pipeline) first.")
        }
        guard let inputs = record.inputs, let sourceDigest = inputs["source"], let identity = inputs["toolchain"] else {
            throw fail("its stages were recorded by an older temper, without their inputs. Run `temper run PROFILE --from instrument` to record them.")
        }
        guard let sources = SourceListing.load(sourceDigest, in: workDir) else {
            throw fail("the listing of the sources its profile was made from (cache/sources/\(sourceDigest).json) is missing. Run the pipeline again.")
        }
        let tools = Self.tools(fromIdentity: identity)
        guard let cc = tools["cc"], let profdataTool = tools["profdata"] else {
            throw fail("its recorded toolchain identity names no compiler or llvm-profdata.")
        }
        let scratch = workDir.cache + "/bundle-export"
        try workDir.freshDirectory(scratch)
        defer { try? workDir.remove(scratch) }
        let profilePath: String
        if let profdata = record.output(.profileData) {
            profilePath = workDir.absolute(profdata)
            guard let bytes = FileManager.default.contents(atPath: profilePath), FileDigest.sha256(of: bytes) == record.outputs[profdata] else {
                throw fail("its merged profile \(profilePath) is missing or altered since the merge stage wrote it. Run `temper run PROFILE` again.")
            }
        } else if record.output(.profileDirectory) != nil {
            throw fail("its profile is GCC's (.gcda files); bundles carry LLVM profiles only.")
        } else {
            let raw = record.outputs.keys.filter { $0.hasSuffix(".profraw") }.sorted()
            for file in raw where FileDigest.sha256(of: workDir.absolute(file)) != record.outputs[file] {
                throw fail("the raw profile \(file) is missing or altered since training wrote it. Run `temper run PROFILE --to train` again.")
            }
            guard !raw.isEmpty else { throw fail("its training stage recorded no raw profiles.") }
            profilePath = scratch + "/merged.profdata"
            let merge = ToolCommands.profdataMergeWeighted(profdataTool.path, output: profilePath, inputs: raw.map { (1, workDir.absolute($0)) }, directory: scratch)
            let (merged, text) = try await runner.capture(merge)
            guard merged.succeeded else {
                throw fail("`\(merge.displayString)` failed (\(merged.statusDescription)): \(text.suffix(500))")
            }
        }
        guard let profileBytes = FileManager.default.contents(atPath: profilePath) else {
            throw fail("cannot read \(profilePath).")
        }
        let inspection: ProfileInspection
        do {
            inspection = try await ProfileInspection.run(
                ProfileInspection.commands(profdata: profdataTool.path, file: profilePath, directory: workDir.root, show: ["--profile-version"]), runner: runner,
                covered: record.output(.profileData) == nil)  // a merge record has its counts already
        } catch let failed as ProfileInspection.ShowFailed {
            throw fail("`\(profdataTool.path) show --profile-version` failed (\(failed.status)): \(failed.output.suffix(300))")
        }
        guard let formatVersion = ProfileFormat.reported(inspection.text) ?? ProfileFormat.headerVersion(profileBytes) else {
            throw fail("`\(profdataTool.path) show --profile-version` printed no profile format version: \(inspection.text.suffix(300))")
        }
        let summary = inspection.summary
        var counts = record.counts
        if record.output(.profileData) == nil {
            counts = ["functions": summary.functions ?? 0, "total_count": summary.totalCount ?? 0]
            counts["functions_executed"] = inspection.covered?.count
        }
        var training: [BundleManifest.TrainingTask] = []
        for stage in [roles.training, roles.boltTraining].compactMap({ $0 }) {
            for step in completed(stage)?.steps ?? [] {
                guard let task = step.task else { continue }
                training.append(.init(stage: stage.rawValue, name: task, command: step.command, fingerprint: step.fingerprint))
            }
        }
        let major = Int(cc.version.split(separator: ".").first ?? "") ?? 0
        var files: [String: Data] = [BundleManifest.profileFile: profileBytes]
        var manifest = BundleManifest(
            temperVersion: TemperVersion.current, profileName: state.profile, created: Self.timestamp(created), host: ProcessInfo.processInfo.hostName,
            toolchain: .init(compiler: cc.path.split(separator: "/").last.map(String.init) ?? cc.path, compilerPath: cc.path, compilerVersion: cc.version, llvmMajor: major, profileFormatVersion: formatVersion),
            sources: .init(digest: sourceDigest, files: sources.files),
            training: training,
            profile: .init(file: BundleManifest.profileFile, sha256: FileDigest.sha256(of: profileBytes), functions: counts["functions"] ?? 0, totalCount: counts["total_count"], functionsExecuted: counts["functions_executed"]),
            bolt: nil, parts: nil)
        if let boltMerge = completed(roles.boltProfiles), record.output(.profileData) != nil {
            manifest.bolt = try await boltProfiles(
                boltMerge, roles: roles, workDir: workDir, toolDirectory: (profdataTool.path as NSString).deletingLastPathComponent, sourceDigest: sourceDigest,
                scratch: scratch, files: &files, fail: fail, completed: completed)
        }
        // The decision the exported build applied travels with its profile.
        if let decision = carried ?? (report.decidedBy != nil ? RegularFile.contents(workDir.decisionFile, limit: 1 << 20) : nil) {
            files[BundleManifest.decisionFile] = decision
            manifest.decision = BundleManifest.decisionFile
        }
        let bundle = ProfileBundle(manifest: manifest, files: files)
        try bundle.write(to: output)
        return manifest
    }

    /// Each BOLT artifact's merged `.fdata`, its dispatch list, and the same profile as YAML
    /// (written by llvm-bolt against the pre-BOLT binary it was recorded on).
    func boltProfiles(
        _ boltMerge: StageRecord, roles: StageRoles, workDir: WorkDir, toolDirectory: String, sourceDigest: String,
        scratch: String, files: inout [String: Data], fail: (String) -> BundleError, completed: (StageID?) -> StageRecord?
    ) async throws -> BundleManifest.Bolt {
        guard boltMerge.inputs?["source"] == sourceDigest else {
            throw fail("its BOLT profiles were made from other sources than its PGO profile. Run `temper run PROFILE` again so that both are current.")
        }
        let optimize = completed(roles.boltInput ?? roles.optimizedBuild)
        var profiles: [BundleManifest.BoltProfile] = []
        for relative in boltMerge.outputs.keys.sorted() where relative.hasSuffix(".fdata") {
            let name = String((relative as NSString).lastPathComponent.dropLast(".fdata".count))
            guard OutputNameCheck.isPlainName(name), let fdata = FileManager.default.contents(atPath: workDir.absolute(relative)),
                FileDigest.sha256(of: fdata) == boltMerge.outputs[relative]
            else {
                throw fail("its BOLT profile \(relative) is missing or altered. Run `temper run PROFILE --from bolt-merge`.")
            }
            var entry = BundleManifest.BoltProfile(artifact: name, fdata: "bolt/\(name).fdata", fdataSha256: FileDigest.sha256(of: fdata))
            files[entry.fdata] = fdata
            let dispatchPath = workDir.absolute(String(relative.dropLast(".fdata".count)) + ".dispatch")
            if let dispatch = FileManager.default.contents(atPath: dispatchPath) {
                entry.dispatch = "bolt/\(name).dispatch"
                files[entry.dispatch!] = dispatch
            }
            if let binary = optimize?.output(.artifact(name)), optimize?.status == .completed, optimize?.inputs?["source"] == sourceDigest {
                entry.binarySha256 = optimize?.outputs[binary]
                let yaml = scratch + "/\(name).yaml"
                let command = ToolCommands.boltWriteYAML(
                    toolDirectory + "/llvm-bolt", binary: workDir.absolute(binary), profile: workDir.absolute(relative), yaml: yaml,
                    output: scratch + "/\(name).bolted", directory: scratch)
                let (outcome, text) = try await runner.capture(command)
                if outcome.succeeded, let data = FileManager.default.contents(atPath: yaml) {
                    entry.yaml = "bolt/\(name).yaml"
                    files[entry.yaml!] = Self.withoutBinaryPath(data)
                } else {
                    throw fail("llvm-bolt could not write the YAML form of \(name)'s profile (\(outcome.statusDescription)): \(text.suffix(500))")
                }
            }
            profiles.append(entry)
        }
        let summary = completed(roles.boltResult).flatMap { record -> BoltSummary? in
            guard record.status == .completed, let path = record.output(.boltReport), let data = FileManager.default.contents(atPath: workDir.absolute(path)) else { return nil }
            return try? JSONDecoder().decode(BoltSummary.self, from: data)
        }
        return BundleManifest.Bolt(profiles: profiles, selectedCandidate: summary?.selection?.published, selectionReason: summary?.selection?.reason)
    }

    /// BOLT writes the binary's path into the YAML header; a bundle must not name the work dir.
    static func withoutBinaryPath(_ data: Data) -> Data {
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            line.hasPrefix("  binary-name:") ? "  binary-name:     ''" : line
        }
        return Data(lines.joined(separator: "\n").utf8)
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}

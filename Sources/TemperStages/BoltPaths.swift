import TemperModel
import TemperSystem
import TemperExecution
import Foundation

/// Where BOLT's stages keep things. BOLT's instrumentation runtime writes its profile to a
/// path fixed when the binary is instrumented (no environment override). To give each training
/// task a directory of its own, as PGO training has, the instrumented binary is made with a
/// fixed-length placeholder in that path, and each task runs a copy in which the placeholder
/// is replaced by the task's key, which has the same length.
public enum BoltPaths {
    public static let placeholder = String(repeating: "@", count: 16)
    /// What BOLT's runtime prints when it cannot write its profile (it still exits 0).
    public static let writeErrorMarker = "Error while trying to open profile file"

    public static func taskKey(_ task: String) -> String {
        String(FileDigest.sha256(of: Data(task.utf8)).prefix(placeholder.count))
    }

    /// The profile path baked into the instrumented `name`, under the training stage's raw
    /// directory; one directory per artifact, so an executable and the libraries it loads
    /// never mix their profiles.
    public static func instrumentationFile(rawRoot: String, _ name: String) -> String {
        rawRoot + "/" + placeholder + "/" + name + "/prof.fdata"
    }

    /// Mirrors the optimized build directory into `tree` with hard links (copies where linking
    /// is impossible), so programs that find their files relative to themselves (a build-tree
    /// CPython finds its standard library that way; shared libraries their RUNPATH) work from
    /// the mirror. The files in `replacing` are written as new files, never through a link.
    package static func mirror(_ build: String, into tree: String, replacing: [String: Data], workDir: WorkDir) throws {
        let manager = FileManager.default
        try workDir.freshDirectory(tree)
        guard let enumerator = manager.enumerator(atPath: build) else { return }
        while let relative = enumerator.nextObject() as? String {
            let source = build + "/" + relative
            let destination = tree + "/" + relative
            let type = (try manager.attributesOfItem(atPath: source))[.type] as? FileAttributeType
            if type == .typeDirectory {
                try manager.createDirectory(atPath: destination, withIntermediateDirectories: true)
            } else if type == .typeSymbolicLink {
                try manager.createSymbolicLink(atPath: destination, withDestinationPath: manager.destinationOfSymbolicLink(atPath: source))
            } else if replacing[relative] == nil {
                do { try manager.linkItem(atPath: source, toPath: destination) } catch { try manager.copyItem(atPath: source, toPath: destination) }
            }
        }
        for (relative, data) in replacing {
            let destination = tree + "/" + relative
            try workDir.remove(destination)
            try manager.createDirectory(atPath: URL(fileURLWithPath: destination).deletingLastPathComponent().path, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: destination))
            try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: destination)
        }
    }

    /// Overwrites every occurrence of `needle` with `replacement` (the same length, so nothing
    /// moves) and returns how many there were. memchr + memcmp, because the generic
    /// `Data.replacing` takes ~5 s on a 40 MB binary, once per task.
    static func overwrite(_ needle: String, with replacement: String, in data: inout Data) -> Int {
        let needle = Array(needle.utf8)
        let replacement = Array(replacement.utf8)
        precondition(needle.count == replacement.count && !needle.isEmpty)
        var count = 0
        data.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset + needle.count <= buffer.count,
                let found = memchr(base + offset, Int32(needle[0]), buffer.count - offset - needle.count + 1)
            {
                offset = found - base
                if memcmp(found, needle, needle.count) == 0 {
                    replacement.withUnsafeBytes { _ = memcpy(found, $0.baseAddress!, needle.count) }
                    offset += needle.count
                    count += 1
                } else {
                    offset += 1
                }
            }
        }
        return count
    }

    /// The task's mirror of the optimized build, with its copies of the instrumented artifacts
    /// (its key in the profile path), and the directories BOLT's runtime writes to (it does not
    /// create them).
    static func prepareTask(_ profile: PipelineProfile, workDir: WorkDir, build: String, instrumented: String, tree: String, key: String, rawDirectory: String, stage: String) throws {
        var replacing: [String: Data] = [:]
        for (path, name) in profile.boltArtifacts {
            var patched = try Data(contentsOf: URL(fileURLWithPath: instrumented + "/" + name))
            guard overwrite(placeholder, with: key, in: &patched) > 0 else {
                throw StageError(stage: stage, message: "the instrumented \(name) does not contain its profile path placeholder; this llvm-bolt stores the path differently. Run with --no-bolt, and report the BOLT version.")
            }
            replacing[path] = patched
            try workDir.makeDirectory(rawDirectory + "/" + name)
        }
        try mirror(build, into: tree, replacing: replacing, workDir: workDir)
    }
}

import Crypto
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
        String(SHA256.hash(data: Data(task.utf8)).map { String(format: "%02x", $0) }.joined().prefix(placeholder.count))
    }

    public static func instrumented(_ workDir: WorkDir, _ name: String) -> String {
        workDir.stageDirectory(BoltInstrumentStage.stageName) + "/" + name
    }

    /// The profile path baked into the instrumented `name`; one directory per artifact, so
    /// an executable and the libraries it loads never mix their profiles.
    public static func instrumentationFile(_ workDir: WorkDir, _ name: String) -> String {
        workDir.stageDirectory(TrainStage.boltStageName) + "/raw/" + placeholder + "/" + name + "/prof.fdata"
    }

    public static func taskBinaries(_ workDir: WorkDir, key: String) -> String {
        workDir.stageDirectory(TrainStage.boltStageName) + "/bin/" + key
    }

    /// Artifact paths for a command that runs the BOLT artifacts from `boltDirectory` and every
    /// other artifact from the optimized build; shared libraries are found first in
    /// `boltDirectory` (LD_LIBRARY_PATH wins over RUNPATH).
    static func swapIn(_ profile: PipelineProfile, build: String, boltDirectory: String) -> ([String: String], [String: String]) {
        var artifacts = profile.artifactPaths(in: build)
        for (_, name) in profile.boltArtifacts { artifacts[name] = boltDirectory + "/" + name }
        var environment: [String: String] = [:]
        if profile.boltArtifacts.contains(where: { $0.name.contains(".so") }) {
            let inherited = ProcessInfo.processInfo.environment["LD_LIBRARY_PATH"].map { ":" + $0 } ?? ""
            environment["LD_LIBRARY_PATH"] = boltDirectory + inherited
        }
        return (artifacts, environment)
    }

    /// The task's copies of the instrumented artifacts, with its key in the profile path, and
    /// the directories BOLT's runtime writes to (it does not create them).
    static func prepareTask(_ profile: PipelineProfile, workDir: WorkDir, key: String, rawDirectory: String) throws {
        let binaries = taskBinaries(workDir, key: key)
        try workDir.freshDirectory(binaries)
        for (_, name) in profile.boltArtifacts {
            let data = try Data(contentsOf: URL(fileURLWithPath: instrumented(workDir, name)))
            let patched = data.replacing(Data(placeholder.utf8), with: Data(key.utf8))
            guard patched != data else {
                throw StageError(stage: TrainStage.boltStageName, message: "the instrumented \(name) does not contain its profile path placeholder; this llvm-bolt stores the path differently. Run with --no-bolt, and report the BOLT version.")
            }
            try patched.write(to: URL(fileURLWithPath: binaries + "/" + name))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: binaries + "/" + name)
            try workDir.makeDirectory(rawDirectory + "/" + name)
        }
    }
}

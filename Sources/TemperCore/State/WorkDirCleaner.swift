import Foundation

/// Deletes a whole work dir, but only one temper made, and only while no run holds its lock.
public enum WorkDirCleaner {
    public static func clean(_ workDir: WorkDir) throws {
        guard workDir.isTemperWorkDir else { throw WorkDirError.notAWorkDir(root: workDir.root) }
        let lock = try WorkDirLock(workDir: workDir)
        defer { lock.release() }
        for entry in try FileManager.default.contentsOfDirectory(atPath: workDir.root) where entry != "lock" {
            try workDir.remove(workDir.root + "/" + entry)
        }
        try FileManager.default.removeItem(atPath: workDir.root)
    }
}

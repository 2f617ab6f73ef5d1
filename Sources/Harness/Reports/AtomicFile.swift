import Foundation

/// Writes a file so a reader never sees half of it: a temporary file beside it, then rename.
public func writeAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
    try data.write(to: temp)
    if rename(temp.path, url.path) != 0 {
        try? FileManager.default.removeItem(at: temp)
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
    }
}

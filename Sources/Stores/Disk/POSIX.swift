#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin throwing wrappers over the few system calls the blob store needs. Blocking: call them on a thread pool.
enum POSIX {
    struct Failure: Error, CustomStringConvertible {
        var call: String
        var path: String
        var code: Int32
        var description: String { "\(call)(\(path)) failed: \(String(cString: strerror(code)))" }
    }

    static func openFile(_ path: String, _ flags: Int32, _ mode: mode_t = 0) throws -> Int32 {
        while true {
            let fd = open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw Failure(call: "open", path: path, code: errno) }
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(call: "pwrite", path: path, code: errno)
            }
            done += n
        }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    static func readFully(_ fd: Int32, into bytes: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws -> Int {
        var done = 0
        while done < bytes.count {
            let n = pread(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(call: "pread", path: path, code: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    static func sync(_ fd: Int32, path: String) throws {
        if fsync(fd) != 0 { throw Failure(call: "fsync", path: path, code: errno) }
    }

    /// Makes a rename or unlink inside `path` durable.
    static func syncDirectory(_ path: String) throws {
        let fd = try openFile(path, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try sync(fd, path: path)
    }

    static func size(_ fd: Int32, path: String) throws -> Int64 {
        var info = stat()
        if fstat(fd, &info) != 0 { throw Failure(call: "fstat", path: path, code: errno) }
        return Int64(info.st_size)
    }

    /// nil when there is no such file.
    static func size(atPath path: String) throws -> Int64? {
        var info = stat()
        if stat(path, &info) != 0 {
            if errno == ENOENT { return nil }
            throw Failure(call: "stat", path: path, code: errno)
        }
        return Int64(info.st_size)
    }

    static func rename(_ from: String, _ to: String) throws {
        if systemRename(from, to) != 0 { throw Failure(call: "rename", path: to, code: errno) }
    }

    /// False when there was nothing to remove.
    @discardableResult static func remove(_ path: String) throws -> Bool {
        if unlink(path) == 0 { return true }
        if errno == ENOENT { return false }
        throw Failure(call: "unlink", path: path, code: errno)
    }

    /// True when it created the directory, false when it was already there.
    @discardableResult static func makeDirectory(_ path: String) throws -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        if errno == EEXIST { return false }
        throw Failure(call: "mkdir", path: path, code: errno)
    }
}

/// `rename` the system call, out of reach inside `POSIX.rename` by name.
private func systemRename(_ from: String, _ to: String) -> Int32 {
    rename(from, to)
}

import NIOCore
import Testing

@testable import S3Door

@Suite struct S3XMLWriterTests {
    @Test func escapesTextAndControlCharacters() {
        #expect(S3XMLWriter.escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&apos;f")
        #expect(S3XMLWriter.escape("line\nbreak\r\ttab") == "line&#10;break&#13;&#9;tab")
        #expect(S3XMLWriter.escape("ünï 😀 %2B +") == "ünï 😀 %2B +")
        #expect(S3XMLWriter.escape("]]>") == "]]&gt;")
    }

    @Test func buildsNestedDocuments() {
        var xml = S3XMLWriter()
        xml.root("ListBucketResult")
        xml.element("Name", "b")
        xml.start("Contents")
        xml.element("Key", "<k>")
        xml.element("Size", Int64(3))
        xml.element("IsTruncated", false)
        xml.element("Missing", nil as String?)
        let text = String(buffer: xml.finish())
        #expect(text == #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
            + #"<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Contents><Key>&lt;k&gt;</Key>"#
            + "<Size>3</Size><IsTruncated>false</IsTruncated></Contents></ListBucketResult>")
    }

    @Test func writerOutputReadsBack() throws {
        let hostile = "a&b<c>\"'\n\t\r ü😀"
        var xml = S3XMLWriter()
        xml.root("Delete")
        xml.start("Object")
        xml.element("Key", hostile)
        let node = try S3XMLReader.parse(Array(xml.finish().readableBytesView))
        #expect(node.child("Object")?.child("Key")?.text == hostile)
    }
}

@Suite struct S3XMLReaderTests {
    func parse(_ text: String) throws -> S3XMLNode { try S3XMLReader.parse(Array(text.utf8)) }

    @Test func readsWhatBotocoreSends() throws {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ChecksumCRC32>dOijRg==</ChecksumCRC32>\
            <ETag>&quot;abc&quot;</ETag><PartNumber>1</PartNumber></Part><Part><ETag>"def"</ETag><PartNumber>2</PartNumber></Part>\
            </CompleteMultipartUpload>
            """
        let node = try parse(body)
        #expect(node.name == "CompleteMultipartUpload")
        let parts = try CompletedPart.list(from: node)
        #expect(parts == [CompletedPart(partNumber: 1, etag: "abc", checksumCRC32: "dOijRg=="), CompletedPart(partNumber: 2, etag: "def")])
    }

    @Test func entitiesCDATACommentsAndPrefixes() throws {
        let node = try parse("\u{FEFF}<!-- c --><s3:Delete a='1' b=\"2\"><Object><Key>&#x41;&#66;&lt;<![CDATA[<raw>&amp;]]></Key></Object><Quiet>true</Quiet><Empty/></s3:Delete>")
        #expect(node.name == "Delete")
        #expect(node.child("Object")?.child("Key")?.text == "AB<<raw>&amp;")
        #expect(node.child("Quiet")?.text == "true")
        #expect(node.child("Empty") != nil)
        #expect(node.all("Object").count == 1)
    }

    @Test(arguments: [
        "", "plain text", "<a>", "<a></b>", "<a><b></a></b>", "<a>&unknown;</a>", "<a>&#0;</a>", "<a x=1/>", "<a/><b/>",
        #"<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>"#, "<a><!DOCTYPE x></a>", "<a>&amp</a>", "<a x='<'/>",
        String(repeating: "<a>", count: 40) + String(repeating: "</a>", count: 40),
    ])
    func refusesMalformed(_ text: String) {
        #expect(throws: S3XMLReader.Failure.self) { try S3XMLReader.parse(Array(text.utf8)) }
    }

    @Test func completeNeedsParts() throws {
        #expect(throws: S3Error.self) { try CompletedPart.list(from: try parse("<CompleteMultipartUpload/>")) }
        #expect(throws: S3Error.self) { try CompletedPart.list(from: try parse("<Other><Part/></Other>")) }
        #expect(throws: S3Error.self) {
            try CompletedPart.list(from: try parse("<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>e</ETag></Part></CompleteMultipartUpload>"))
        }
    }
}

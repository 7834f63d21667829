package org.memvirt.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.memvirt.report.Json;

class DocumentLoaderTest {
    private static LocatedTree yaml(String text) {
        return DocumentLoader.parse(text, "f.yaml", false);
    }

    private static void refusedYaml(String text, String message) {
        assertThatThrownBy(() -> yaml(text)).isInstanceOf(WorkloadException.class).hasMessage(message);
    }

    private static void refusedJson(String text, String message) {
        assertThatThrownBy(() -> DocumentLoader.parse(text, "f.json", true)).isInstanceOf(WorkloadException.class)
                .hasMessage(message);
    }

    @Test
    void anAliasIsTheAnchoredValueNotItsName() {
        LocatedTree t = yaml("a: &q \"-m 1G\"\nb: *q\nc: &m {x: 1, y: [2, 3]}\nd: *m\n");
        assertThat(t.at("b")).isEqualTo(new LocatedTree.Scalar("-m 1G", 1, 8, LocatedTree.Type.STRING));
        assertThat(t.at("d")).isSameAs(t.at("c"));
        assertThat(Json.write(t.toJson())).isEqualTo(Json.write(Json.mapper().valueToTree(Map.of())).replace("{ }",
                "{\n  \"a\" : \"-m 1G\",\n  \"b\" : \"-m 1G\",\n  \"c\" : {\n    \"x\" : 1,\n    \"y\" : [ 2, 3 ]\n  },\n"
                        + "  \"d\" : {\n    \"x\" : 1,\n    \"y\" : [ 2, 3 ]\n  }\n}"));
    }

    @Test
    void aliasesExpandAtMostTenThousandNodes() {
        StringBuilder laughs = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'f'; c++) {
            laughs.append(c).append(": &").append(c).append(" [").append(("*" + (char) (c - 1) + ", ").repeat(9))
                    .append('*').append((char) (c - 1)).append("]\n");
        }
        // b copies 10 x 11 = 110 nodes, c 10 x 111 = 1,110 more; each *c in d copies 1,111: the 8th passes 10,000
        // (110 + 1,110 + 8 x 1,111 = 10,108); it starts at column 8 + 4 x 7 = 36 of line 4
        refusedYaml(laughs.toString(), "f.yaml:4:36: aliases expand to more than 10000 nodes");
    }

    @Test
    void anAliasNeedsAnAnchorBeforeIt() {
        refusedYaml("a: *nope\n", "f.yaml:1:4: alias *nope names no anchor before it");
        refusedYaml("a: &s [1, *s]\n", "f.yaml:1:11: alias *s names no anchor before it");      // no recursion
    }

    @Test
    void aKeyGivenTwiceIsRefused() {
        refusedYaml("host:\n  ram: 4G\n  ram: 8G\n", "f.yaml:3:3: duplicate key 'ram' (first at 2:3)");
        refusedJson("{\"a\": 1,\n \"a\": 2}", "f.json:2:2: duplicate key 'a' (first at 1:2)");
    }

    @Test
    void syntaxErrorsAreOneLineWithFileLineAndColumn() {
        refusedYaml("{\"a\": [1, 2,\n  \"b\": 3\n", "f.yaml:3:1: expected ',' or ']', but got <stream end>"
                + " (while parsing a flow sequence at 1:7)");
        refusedJson("{\"a\": [1, 2,\n  \"b\": 3\n", "f.json:2:6: Unexpected character (':' (code 58)): was expecting"
                + " comma to separate Array entries");
        refusedJson("{\"a\": 1,\n", "f.json:2:1: Unexpected end-of-input within/between Object entries");
        refusedYaml("a: [1\nb: 2\n", "f.yaml:2:2: expected ',' or ']', but got : (while parsing a flow sequence at 1:4)");
    }

    @Test
    void oneDocumentOfBoundedDepth() {
        refusedYaml("a: 1\n---\nb: 2\n", "f.yaml:2:1: a second document; the file must hold one");
        refusedJson("{} {}", "f.json:1:4: more after the document's end; the file must hold one value");
        refusedYaml("", "f.yaml: the file is empty");
        refusedJson("  \n", "f.json: the file is empty");
        refusedYaml("[".repeat(70) + "]".repeat(70), "f.yaml:1:65: nested deeper than 64 levels");
        refusedJson("[".repeat(70) + "]".repeat(70), "f.json:1:65: nested deeper than 64 levels");
        refusedYaml("? [a]\n: b\n", "f.yaml:1:3: a key must be a plain value, not a list");
    }

    @Test
    void plainScalarsAreTypedAsYamlsCoreSchemaQuotedOnesStayText() {
        LocatedTree t = yaml("i: 12\nn: -3\nb: true\nz: ~\ne:\ns: '12'\nq: \"true\"\nh: 0x10\nf: 1.5\nw: yes\n");
        assertThat(t.toJson().toString()).isEqualTo("{\"i\":12,\"n\":-3,\"b\":true,\"z\":null,\"e\":null,\"s\":\"12\","
                + "\"q\":\"true\",\"h\":\"0x10\",\"f\":\"1.5\",\"w\":\"yes\"}");
        assertThat(DocumentLoader.parse("{\"i\": 12, \"s\": \"12\", \"b\": false, \"z\": null}", "f.json", true).toJson()
                .toString()).isEqualTo("{\"i\":12,\"s\":\"12\",\"b\":false,\"z\":null}");
    }

    @Test
    void fieldPathsLeadToTheirNodeOrTheDeepestThatExists() {
        LocatedTree t = yaml("host:\n  ram: 4G\nvms:\n  - name: a\n    workload: [touch 1M, read x]\n");
        assertThat(t.at("vms[0].workload[1]").where("f")).isEqualTo("f:5:26");
        assertThat(t.at("host.ram").where("f")).isEqualTo("f:2:8");
        assertThat(t.at("host.swap").where("f")).isEqualTo("f:2:3");          // missing: its parent
        assertThat(t.at("vms[7].name").where("f")).isEqualTo("f:4:3");        // no such VM: the list
        assertThat(((LocatedTree.Sequence) t.at("vms")).items()).hasSize(1);
        assertThat(List.of(t.at("").line())).containsExactly(1);
    }
}

package nb

import (
	"encoding/base64"
	"fmt"
	"html"
	"regexp"
	"strings"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"

	"github.com/ninbench/nin/ninlib/plots"
)

// Show displays a figure: PNG, with its SVG in the same bundle (a trusted
// notebook shows the SVG, an untrusted one, or a viewer that sanitizes,
// the PNG). An error is shown instead of the figure.
func Show(f plots.Figure, err error) {
	if err != nil {
		fmt.Println(err)
		return
	}
	gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{
		protocol.MIMEImagePNG:  f.PNG,
		protocol.MIMEImageSVG:  string(f.SVG),
		protocol.MIMETextPlain: "[figure] " + f.Title,
	}})
}

// ShowPNG displays a PNG image with a caption.
func ShowPNG(png []byte, caption string) {
	gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{
		protocol.MIMEImagePNG:  png,
		protocol.MIMETextPlain: caption,
	}})
	if caption != "" {
		ShowMarkdown("*" + caption + "*")
	}
}

// ShowMarkdown displays Markdown (paragraphs, headings, lists, tables) as
// HTML, with the Markdown and plain text in the same bundle: untrusted
// notebooks drop Markdown outputs but show sanitized HTML tables.
func ShowMarkdown(md string) {
	gonbui.SendData(&protocol.DisplayData{Data: map[protocol.MIMEType]any{
		protocol.MIMETextHTML:     MarkdownHTML(md),
		protocol.MIMETextMarkdown: md,
		protocol.MIMETextPlain:    md,
	}})
}

var (
	mdLink   = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s]+)\)`)
	mdBold   = regexp.MustCompile(`\*\*([^*]+)\*\*`)
	mdItalic = regexp.MustCompile(`(^|[\s(])\*([^*\s][^*]*)\*`)
	mdCode   = regexp.MustCompile("`([^`]+)`")
)

// MarkdownHTML renders the Markdown the workbench writes (results
// sections: headings, paragraphs, "- " lists, pipe tables, **bold**,
// *italic*, `code`, [links](url)) as plain HTML that survives a sanitizer.
func MarkdownHTML(md string) string {
	var b strings.Builder
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); {
		l := strings.TrimSpace(lines[i])
		switch {
		case l == "":
			i++
		case strings.HasPrefix(l, "#"):
			level := len(l) - len(strings.TrimLeft(l, "#"))
			fmt.Fprintf(&b, "<h%d>%s</h%d>\n", min(level+1, 6), inline(strings.TrimSpace(l[level:])), min(level+1, 6))
			i++
		case strings.HasPrefix(l, "|"):
			i = table(&b, lines, i)
		case strings.HasPrefix(l, "- "):
			b.WriteString("<ul>\n")
			for ; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "- "); i++ {
				fmt.Fprintf(&b, "<li>%s</li>\n", inline(strings.TrimSpace(lines[i])[2:]))
			}
			b.WriteString("</ul>\n")
		default:
			var para []string
			for ; i < len(lines) && strings.TrimSpace(lines[i]) != "" && !strings.HasPrefix(strings.TrimSpace(lines[i]), "|"); i++ {
				para = append(para, strings.TrimSpace(lines[i]))
			}
			fmt.Fprintf(&b, "<p>%s</p>\n", inline(strings.Join(para, " ")))
		}
	}
	return b.String()
}

// table renders the pipe table starting at lines[i] and returns the index
// after it.
func table(b *strings.Builder, lines []string, i int) int {
	b.WriteString("<table>\n")
	row := 0
	for ; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "|"); i++ {
		cells := strings.Split(strings.Trim(strings.TrimSpace(lines[i]), "|"), "|")
		if row == 1 && strings.Trim(strings.Join(cells, ""), "-: ") == "" {
			row++
			continue // the header's separator
		}
		tag := "td"
		if row == 0 {
			tag = "th"
		}
		b.WriteString("<tr>")
		for _, c := range cells {
			fmt.Fprintf(b, "<%s>%s</%s>", tag, inline(strings.TrimSpace(c)), tag)
		}
		b.WriteString("</tr>\n")
		row++
	}
	b.WriteString("</table>\n")
	return i
}

// inline renders a line's inline Markdown, its text escaped.
func inline(s string) string {
	var b strings.Builder
	// Code spans first: their content is literal.
	last := 0
	for _, m := range mdCode.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(spans(s[last:m[0]]))
		fmt.Fprintf(&b, "<code>%s</code>", html.EscapeString(s[m[2]:m[3]]))
		last = m[1]
	}
	b.WriteString(spans(s[last:]))
	return b.String()
}

// spans renders links, bold and italic in text without code spans.
func spans(s string) string {
	s = html.EscapeString(s)
	s = mdLink.ReplaceAllString(s, `<a href="$2">$1</a>`)
	s = mdBold.ReplaceAllString(s, "<b>$1</b>")
	return mdItalic.ReplaceAllString(s, "$1<i>$2</i>")
}

// pngDataURI embeds a PNG in HTML.
func pngDataURI(png []byte) string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
}

package nb

import (
	"strings"
	"testing"
)

// TestMarkdownHTML: the Markdown of the results sections becomes plain
// HTML (what untrusted notebooks show), text escaped, code literal.
func TestMarkdownHTML(t *testing.T) {
	for _, tc := range []struct{ md, want string }{
		{"## gap-vs-fc", "<h3>gap-vs-fc</h3>"},
		{"**Claim tested.** GAP <wins>", "<p><b>Claim tested.</b> GAP &lt;wins&gt;</p>"},
		{"| a | b |\n|---|---|\n| 1 | `x*y` |", "<table>\n<tr><th>a</th><th>b</th></tr>\n<tr><td>1</td><td><code>x*y</code></td></tr>\n</table>"},
		{"- nin: [seed run 1](runs/x/maps.png), *ok*", "<ul>\n<li>nin: <a href=\"runs/x/maps.png\">seed run 1</a>, <i>ok</i></li>\n</ul>"},
		{"one\ntwo\n\nthree", "<p>one two</p>\n<p>three</p>"},
	} {
		if got := strings.TrimSpace(MarkdownHTML(tc.md)); got != tc.want {
			t.Errorf("%q:\n got %q\nwant %q", tc.md, got, tc.want)
		}
	}
}

// TestTableDropsImages: a results section's figure lines, whose paths are
// relative to the results folder, leave the notebook's table (the
// notebook draws its figures itself); links inside text stay.
func TestTableDropsImages(t *testing.T) {
	for _, tc := range []struct{ md, want string }{
		{"text\n\n![b on mnist](figures/b-mnist.svg)\n\n![c](figures/c.svg)\n\nmore", "text\n\nmore"},
		{"- nin: [seed run 1](runs/x/maps.png)", "- nin: [seed run 1](runs/x/maps.png)"},
		{"see ![inline](x.svg) here", "see ![inline](x.svg) here"},
	} {
		if got := withoutImages(tc.md); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.md, got, tc.want)
		}
	}
}

BBBBBBB BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB BBBB
BBBBB BBBBBBBBBB gettext(u'Enter a paper petition') BBBBBBBB
BBBBB BBBBBBBBBBBBBBB
BBBBB BBBBBBB gettext(u'Enter a paper petition') BBBBBBBB
BBBBB BBBBBXX XXXXXXXXXXXXXXXXXXX gettext(u'For a petition handed in on paper that was never started online. It is published at once, marked as paper; on the next page you type in its signatures or enter a verified count.') XXXXBBBBBBBB
BBBBB BBBBBB gettext(u'Publish and enter signatures') BBBBBBBB
BBBBB BBBBBBB BBBBBBBBBBBBBBBBB BBBBBBBBBBBBBBBBBBBBBBBBBBBB

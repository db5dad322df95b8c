"""Wrap a report's text in the chrome of a page saved from the yearbook site, to test HTML ingestion.

Nothing is fetched: the pages are made here from the real report texts (``eval/series/corpus``,
``corpus``), in the three layouts seen on the site and its mirror:

* ``p``      the 2010 volume: ``<link rel="canonical">``, one ``<p>`` per paragraph indented with
             ``&nbsp;``, the section marker 【...】 inline at the start of its paragraph; UTF-8.
* ``strong`` the 2012 volume on the mirror: ``og:url``, each marker in its own
             ``<p><strong>【...】</strong></p>``; encoded in GBK, declared by a ``http-equiv`` meta.
* ``br``     an older CMS template: the article is one ``<div id="zoom">`` whose paragraphs are
             separated by ``<br><br>``; no canonical link, only the browser's
             ``<!-- saved from url=(NNNN)... -->`` comment carries the address.

Around the article: a Chinese header and navigation, a breadcrumb, a sidebar of related links,
a share bar, a footer with the ICP licence and address, and scripts (jQuery, a statistics tag).

    python bench/yearbook_page.py            # (re)writes tests/data/html/ from the real reports
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYOUTS = ("p", "strong", "br")
SECTION_RE = re.compile(r"^\s*【([^】]{1,120})】\s*")

HEAD = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
 "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
{saved}<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{charset}
<title>{title}_{volume}年中国扶贫开发年鉴（英文版）_中国扶贫开发年鉴</title>
<meta name="keywords" content="扶贫开发年鉴,英文版,{region}" />
<meta name="description" content="{title}" />
{links}
<link rel="stylesheet" type="text/css" href="/css/style.css" />
<script type="text/javascript" src="/js/jquery-1.8.3.min.js"></script>
<script type="text/javascript">
  var _hmt = _hmt || [];
  (function() {{ var hm = document.createElement("script"); hm.src = "/js/tongji.js?v=3";
    var s = document.getElementsByTagName("script")[0]; s.parentNode.insertBefore(hm, s); }})();
</script>
</head>
<body>
<div class="top"><div class="wrap">
  <div class="logo"><a href="/"><img src="/images/logo.png" alt="中国扶贫开发年鉴" /></a></div>
  <div class="search"><form action="/search" method="get"><input name="q" type="text" value="请输入关键字" />
  <input type="submit" value="搜索" /></form></div>
</div></div>
<div class="nav"><ul>
  <li><a href="/">首页</a></li><li><a href="/zggjfpzxnj/njjj/">年鉴简介</a></li>
  <li><a href="/zggjfpzxnj/lnnj/">历年年鉴</a></li><li class="on"><a href="/zggjfpzxnj/yw/">英文年鉴</a></li>
  <li><a href="/zggjfpzxnj/tpgj/">脱贫攻坚</a></li><li><a href="/zggjfpzxnj/lxwm/">联系我们</a></li>
</ul></div>
<div class="wrap clearfix">
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zggjfpzxnj/{volume}njyw/">{volume}年鉴英文</a>
 &gt; <a href="/zggjfpzxnj/{volume}njyw/sdffpp/">省（区、市）扶贫开发</a> &gt; 正文</div>
<div class="left">
"""

SIDEBAR = """</div>
<div class="right">
  <div class="box"><h3>相关链接</h3><ul>
    <li><a href="http://www.cpad.gov.cn/">国务院扶贫开发领导小组办公室</a></li>
    <li><a href="http://www.iprcc.org.cn/">中国国际扶贫中心</a></li>
    <li><a href="/zggjfpzxnj/{volume}njyw/">{volume}年鉴英文版目录</a></li>
  </ul></div>
  <div class="box"><h3>热点文章</h3><ul>
    <li><a href="/a/1.shtml">全国扶贫开发工作会议在京召开</a></li>
    <li><a href="/a/2.shtml">整村推进工作经验交流</a></li>
  </ul></div>
</div>
</div>
<div class="footer"><div class="wrap">
  <p><a href="/about/">关于我们</a> | <a href="/map/">网站地图</a> | <a href="/contact/">联系我们</a></p>
  <p>版权所有：中国国际扶贫中心　京ICP备05063165号　地址：北京市朝阳区太阳宫北街1号　邮编：100028</p>
  <p>电话：010-84419641　传真：010-84419658　建议使用1024*768分辨率浏览</p>
</div></div>
<script type="text/javascript">
  $(function(){{ $(".nav li").hover(function(){{ $(this).addClass("hover"); }}); }});
</script>
</body>
</html>
"""


def _paragraphs(text: str) -> tuple[str, list[str]]:
    """The report's title line and its paragraphs (one a line in the stored texts), whitespace-trimmed."""
    paras = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    return paras[0], paras[1:]


def _article(title: str, paras: list[str], layout: str, date: str) -> str:
    esc = html.escape
    info = (f'<div class="info">来源：中国扶贫开发年鉴　发布时间：{date}　'
            '【<a href="#">打印</a>】【<a href="#">关闭</a>】</div>')
    share = '<div class="share">分享到：<a class="wx" href="#">微信</a> <a class="wb" href="#">微博</a></div>'
    if layout == "br":
        body = "<br /><br />\n".join("&nbsp;&nbsp;&nbsp;&nbsp;" + esc(p) for p in paras)
        return (f'<div class="article"><div class="title">{esc(title)}</div>{info}\n'
                f'<div id="zoom">\n{body}\n</div>{share}</div>\n')
    out = []
    for p in paras:
        m = SECTION_RE.match(p)
        if layout == "strong" and m:
            out.append(f"<p><strong>【{esc(m.group(1))}】</strong></p>")
            p = p[m.end():]
            if not p:
                continue
        out.append(f'<p style="text-indent:2em">&nbsp;&nbsp;{esc(p)}</p>')
    body = "\n".join(out)
    return (f'<div class="article"><h1>{esc(title)}</h1>{info}\n<div class="content">\n{body}\n</div>'
            f"{share}</div>\n")


def wrap(text: str, meta: dict, layout: str = "p") -> bytes:
    """A saved yearbook page for a report (``meta``: region, year, source_url); its bytes, encoded
    as the layout declares."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}")
    title, paras = _paragraphs(text)
    year = int(meta["year"])
    volume = year + 1  # the yearbook of year N+1 reports the data of year N
    url = meta.get("source_url") or f"https://yearbook.iprcc.org.cn/zggjfpzxnj/{volume}njyw/sdffpp/{meta['id']}.shtml"
    links, saved = "", ""
    if layout == "p":
        links = f'<link rel="canonical" href="{html.escape(url)}" />'
    elif layout == "strong":
        links = (f'<meta property="og:title" content="{html.escape(title)}" />\n'
                 f'<meta property="og:url" content="{html.escape(url)}" />\n'
                 '<meta property="og:type" content="article" />')
    else:
        saved = f"<!-- saved from url=({len(url):04d}){url} -->\n"
    encoding = "gbk" if layout == "strong" else "utf-8"
    charset = (f'<meta http-equiv="Content-Type" content="text/html; charset={encoding}" />' if layout == "strong"
               else '<meta charset="utf-8" />')
    page = (HEAD.format(saved=saved, charset=charset, title=html.escape(title), volume=volume,
                        region=html.escape(str(meta.get("region", ""))), links=links)
            + _article(title, paras, layout, f"{volume}-03-15")
            + SIDEBAR.format(volume=volume))
    return page.encode(encoding, errors="xmlcharrefreplace")


def write_test_pages(out: Path = ROOT / "tests" / "data" / "html") -> list[Path]:
    """The committed test pages: three real reports, one per layout, and three bad pages."""
    out.mkdir(parents=True, exist_ok=True)
    picks = [("hebei-2009", "p"), ("qinghai-2010", "strong"), ("yunnan-2011", "br")]
    written = []
    for rid, layout in picks:
        src = ROOT / "eval" / "series" / "corpus" / f"{rid}.txt"
        meta = json.loads(src.with_suffix(".json").read_text(encoding="utf-8"))
        path = out / f"{rid}-{layout}.html"
        path.write_bytes(wrap(src.read_text(encoding="utf-8"), meta, layout))
        written.append(path)
    bad = out / "bad"
    bad.mkdir(exist_ok=True)
    chrome = wrap("Poverty Alleviation and Development in Gansu Province\n\nx", {"id": "x", "year": 2009}, "p")
    # A list page: the chrome and a title, but no report text.
    empty = re.sub(rb'<div class="content">.*?</div>', b'<div class="content"></div>', chrome, flags=re.S)
    (bad / "no-text.html").write_bytes(empty)
    # Not HTML at all: a PDF saved under an .html name.
    (bad / "not-html.html").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n")
    # Report text but no title anywhere (no <title>, <h1> or og:title).
    text = (ROOT / "eval" / "series" / "corpus" / "sichuan-2009.txt").read_text(encoding="utf-8")
    _, paras = _paragraphs(text)
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paras)
    (bad / "no-title.html").write_text(f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>"
                                       f"<div class=\"content\">{body}</div></body></html>", encoding="utf-8")
    return [*written, *sorted(bad.iterdir())]


if __name__ == "__main__":
    for p in write_test_pages(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "html"):
        print(p.relative_to(ROOT) if p.is_relative_to(ROOT) else p)

#!/usr/bin/perl
# scan.pl SITE: prints one line per piece of markup in a built site that
# could run script or break a strict Content-Security-Policy, as
# "FILE: WHAT: the tag" (nothing when the site is clean). Used by
# tests/hostile/run.sh, which also looks in these lines for each vector's
# marker.
#
# HTML files are read the way a browser's tokenizer reads tags (so a value
# that only looks like an attribute is not one); flagged:
#   - a <script> other than the theme's own files (js/NAME.HASH.js) or a
#     JSON-LD data block, and a JSON-LD block that is not valid JSON (a
#     "</script>" in the data would cut it short);
#   - <style>, and style, srcdoc and on... attributes;
#   - a URL attribute holding a javascript:, vbscript: or non-image data:
#     URL, after character references are decoded;
#   - <iframe>, <object>, <embed>, <base>, <frame>, <meta http-equiv>.
# The search index's files (search/*.js) must each be one call
# clinicgenSearch.NAME(...) whose arguments are JSON data.
use strict;
use warnings;
use File::Find;
use JSON::PP;

my $site = shift or die "usage: scan.pl SITE\n";
my $json = JSON::PP->new->allow_nonref;
my @problems;

sub problem { push @problems, "$_[0]: $_[1]: $_[2]" }

# Character references as a browser decodes them in attribute values:
# numeric (';' optional) and the named ones that can spell a URL scheme.
sub decode {
    my ($v) = @_;
    $v =~ s/&#[xX]([0-9a-fA-F]+);?/chr(hex($1) > 0x10FFFF ? 0xFFFD : hex($1))/ge;
    $v =~ s/&#([0-9]+);?/chr($1 > 0x10FFFF ? 0xFFFD : $1)/ge;
    my %named = (Tab => "\t", NewLine => "\n", colon => ':', amp => '&', lt => '<', gt => '>',
        quot => '"', apos => "'");
    $v =~ s/&(Tab|NewLine|colon|amp|lt|gt|quot|apos);/$named{$1}/g;
    return $v;
}

sub is_script_url {
    my ($v) = @_;
    (my $squeezed = lc decode($v)) =~ s/[\x00-\x20]//g;
    return 0 if $squeezed =~ m{^data:image/(png|gif|jpeg|webp)[;,]};
    return $squeezed =~ /^(javascript|vbscript|livescript|data|file):/;
}

my %URL_ATTR = map { $_ => 1 } qw(href src action formaction data poster background cite
    codebase srcset ping lowsrc dynsrc longdesc manifest icon archive classid profile usemap);
my %RAW_TEXT = map { $_ => 1 } qw(script style textarea title xmp iframe noembed noframes
    noscript);

sub scan_html {
    my ($file, $s) = @_;
    my $n = length $s;
    my $i = 0;
    while ((my $lt = index($s, '<', $i)) >= 0) {
        if (substr($s, $lt, 4) eq '<!--') {
            my $end = index($s, '-->', $lt + 4);
            $i = $end < 0 ? $n : $end + 3;
            next;
        }
        if (substr($s, $lt, 2) =~ /^<[!?]/) {
            my $end = index($s, '>', $lt);
            $i = $end < 0 ? $n : $end + 1;
            next;
        }
        pos($s) = $lt;
        unless ($s =~ /\G<(\/?)([A-Za-z][^\s\/>]*)/gc) {
            $i = $lt + 1;
            next;
        }
        my ($end_tag, $name) = ($1, lc $2);
        my (@attrs, $closed);
        while (1) {
            $s =~ /\G[\s\/]*/gc;
            if ($s =~ /\G>/gc) { $closed = 1; last }
            last if pos($s) >= $n;
            $s =~ /\G([^\s\/>][^\s\/>=]*)/gc;
            my ($attr, $value) = (lc $1, undef);
            if ($s =~ /\G\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*))/gc) {
                $value = defined $1 ? $1 : defined $2 ? $2 : $3;
            }
            push @attrs, [$attr, $value];
        }
        my $tag_end = $closed ? pos($s) : $n;
        my $tag = substr($s, $lt, $tag_end - $lt);
        $tag = substr($tag, 0, 300) . '...' if length $tag > 300;
        $i = $tag_end;
        next if $end_tag;
        my %a = map { $_->[0] => $_->[1] } reverse @attrs;    # the first of a name counts
        for my $at (@attrs) {
            my ($an, $av) = @$at;
            problem($file, "event handler attribute", $tag) if $an =~ /^on/;
            problem($file, "$an attribute", $tag) if $an eq 'style' || $an eq 'srcdoc';
            (my $local = $an) =~ s/^.*://;
            problem($file, "script URL in $an", $tag)
                if defined $av && $URL_ATTR{$local} && is_script_url($av);
        }
        problem($file, "<$name> element", $tag)
            if $name =~ /^(iframe|object|embed|base|frame|frameset|applet|style)$/;
        problem($file, "<meta http-equiv>", $tag) if $name eq 'meta' && exists $a{'http-equiv'};
        next unless $RAW_TEXT{$name};
        # the element's text runs to its end tag, whatever it holds
        pos($s) = $i;
        my $close = $s =~ /\G(.*?)<\/$name[\s\/>]/igcs ? $1 : substr($s, $i);
        $i = defined pos($s) ? pos($s) : $n;
        next unless $name eq 'script';
        my $type = defined $a{type} ? lc $a{type} : '';
        if ($type eq 'application/ld+json' && !exists $a{src}) {
            eval { $json->decode($close); 1 } or problem($file, "JSON-LD that is not JSON", $tag);
        } elsif (!exists $a{src} || $a{src} !~ m{^(/[^:]*/|/|(\.\./)*)js/[a-z-]+\.[0-9a-f]{6,}\.js$}) {
            problem($file, "script that is not the theme's", $tag . substr($close, 0, 200));
        }
    }
}

sub scan_search_js {
    my ($file, $s) = @_;
    if ($s !~ /\AclinicgenSearch\.(meta|terms|records)\((.*)\);\n\z/s) {
        problem($file, "search file that is not one clinicgenSearch call", substr($s, 0, 200));
        return;
    }
    eval { $json->decode("[$2]"); 1 } or problem($file, "search file that is not JSON data",
        substr($s, 0, 200));
}

find({ no_chdir => 1, wanted => sub {
    return unless -f $_;
    my $rel = substr($_, length($site) + 1);
    local $/;
    open(my $fh, '<:raw', $_) or die "$_: $!\n";
    my $s = <$fh>;
    close $fh;
    if ($rel =~ /\.html$/) { scan_html($rel, $s) }
    elsif ($rel =~ m{^search/.*\.js$}) { scan_search_js($rel, $s) }
} }, $site);

print "$_\n" for sort @problems;

/* jsonld: a page's schema.org data from its front matter and tree. */
#include "jsonld.h"
#include "markdown.h"
#include "test.h"
#include "yaml_value.h"

#include <stdlib.h>

typedef struct fixture {
    site_config cfg;
    site_model m;
    page p;
    md_doc doc;
    buf out;
} fixture;

static value *yaml(const char *text) {
    diag_list d = DIAG_LIST_INIT;
    value *v = yaml_value_parse(text, strlen(text), "x.yaml", 0, &d);
    CHECK_INT(d.errors, 0);
    diag_free(&d);
    return v;
}

/* A page of kind at url with front matter and body, its JSON-LD in f->out. */
static const char *run(fixture *f, page_kind kind, const char *front, const char *body) {
    memset(f, 0, sizeof *f);
    f->cfg = (site_config){.title = "Clinic",
                           .description = "",
                           .base_url = "https://c.example/",
                           .base_path = "/",
                           .language = "en"};
    f->m.cfg = &f->cfg;
    f->m.data = yaml("conditions:\n  pregnancy:\n    condition: Pregnancy\n    severity: absolute\n"
                     "    note: Wait until after.\n");
    f->p = (page){.kind = kind,
                  .title = "Peel",
                  .summary = "A light peel.",
                  .url_path = "peel/",
                  .reviewer = "Dermatologist",
                  .reviewed = {2026, 10, 1}};
    f->p.front = yaml(front);
    markdown_init();
    markdown_parse(&f->doc, body, strlen(body));
    jsonld_page(&f->m, &f->p, f->doc.ast.root, &f->out);
    return buf_cstr(&f->out);
}

static void done(fixture *f) {
    value_free(f->m.data);
    value_free(f->p.front);
    md_doc_free(&f->doc);
    buf_free(&f->out);
}

TEST(jsonld_every_page_is_a_reviewed_medical_web_page_for_patients) {
    fixture f;
    const char *j = run(&f, KIND_PAGE, "{}", "Text.\n");
    CHECK_CONTAINS(
        j, "{\"@context\":\"https://schema.org\",\"@graph\":[{\"@type\":\"MedicalWebPage\"");
    CHECK_CONTAINS(j, "\"url\":\"https://c.example/peel/\",\"name\":\"Peel\"");
    CHECK_CONTAINS(j,
                   "\"lastReviewed\":\"2026-10-01\",\"reviewedBy\":{\"@type\":\"Person\","
                   "\"jobTitle\":\"Dermatologist\"},\"audience\":\"https://schema.org/Patient\"");
    CHECK(!strstr(j, "MedicalTherapy") && !strstr(j, "FAQPage"));
    done(&f);
}

TEST(jsonld_procedure_is_a_therapy_built_from_its_front_matter) {
    fixture f;
    const char *j = run(&f, KIND_PROCEDURE,
                        "how_performed: An acid is painted on.\n"
                        "preparation:\n  - {when: 1 week before, do: Stop retinoids.}\n"
                        "aftercare:\n  - {when: Day 1, do: Rinse., avoid: Sun}\n"
                        "contraindications:\n  - ref: pregnancy\n  - ref: unknown-ref\n"
                        "  - {condition: \"Sunburn </script>\", severity: relative}\n",
                        "Text.\n");
    CHECK_CONTAINS(j, "{\"@type\":\"MedicalTherapy\",\"name\":\"Peel\",\"description\":\"A light "
                      "peel.\",\"howPerformed\":\"An acid is painted on.\"");
    CHECK_CONTAINS(j, "\"preparation\":\"1 week before: Stop retinoids.\"");
    CHECK_CONTAINS(j, "\"followup\":\"Day 1: Rinse. Avoid: Sun\"");
    CHECK_CONTAINS(j, "\"contraindication\":[{\"@type\":\"MedicalContraindication\",\"name\":"
                      "\"Pregnancy\",\"description\":\"Do not have this procedure while this "
                      "applies. Wait until after.\"},{\"@type\":\"MedicalContraindication\","
                      "\"name\":\"Sunburn \\u003c/script>\"");
    CHECK(!strstr(j, "unknown-ref"));
    done(&f);
}

TEST(jsonld_faq_questions_are_the_h2s_with_their_answers) {
    fixture f;
    const char *j = run(&f, KIND_FAQ, "{}",
                        "Intro.\n\n## Does it hurt?\n\nA little.\n\n- Numbing helps.\n\n"
                        "### Detail\n\nMore.\n\n## What does it cost?\n\nIt varies.\n");
    CHECK_CONTAINS(j, "{\"@type\":\"FAQPage\",\"mainEntity\":[{\"@type\":\"Question\",\"name\":"
                      "\"Does it hurt?\",\"acceptedAnswer\":{\"@type\":\"Answer\",\"text\":\"A "
                      "little. Numbing helps. Detail More.\"}},{\"@type\":\"Question\",\"name\":"
                      "\"What does it cost?\",\"acceptedAnswer\":{\"@type\":\"Answer\",\"text\":"
                      "\"It varies.\"}}]}");
    done(&f);
}

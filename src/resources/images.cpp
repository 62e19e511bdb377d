#include "resources/resources.hpp"

namespace ll2::resources {

using namespace model::declare;  // NOLINT(google-build-using-namespace): declaration DSL

void declare_images(model::Registry& r) {
  KindBuilder{r.kind("image_license")}
      .model("ImageLicense")
      .text({"name"})
      .integer({"priority"})
      .text({"link"});
  KindBuilder{r.kind("image_variant_type")}.model("ImageVariantType").text({"name"});
  KindBuilder{r.kind("image")}
      .text({"name", "image_url", "thumbnail_url", "credit"})
      .fk("license", "image_license")
      .boolean({"single_use"})
      .children("variants", "image_variant");
  KindBuilder{r.kind("image_variant")}.fk("type", "image_variant_type").text({"image_url"});

  r.view("ImageLicense", "image_license", fields({{id()}, cols({"name", "priority", "link"})}));
  r.view("ImageVariantType", "image_variant_type", {id(), col("name")});
  r.view("ImageVariant", "image_variant",
         {id(), nested("type", "ImageVariantType"), col("image_url")});
  r.view("Image", "image",
         fields({{id()},
                 cols({"name", "image_url", "thumbnail_url", "credit"}),
                 {nested("license", "ImageLicense"), col("single_use"),
                  nested("variants", "ImageVariant")}}));
}

}  // namespace ll2::resources

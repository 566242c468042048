import numpy as np
from PIL import Image, ImageDraw

from generations.render.imaging import (
    cut_out,
    placeholder_product,
    prepare_product,
    product_sprite,
    trim,
)


def _packshot(background=(255, 255, 255)) -> Image.Image:
    image = Image.new("RGB", (300, 400), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle((90, 80, 210, 360), fill=(180, 60, 60))
    draw.rectangle((110, 180, 190, 260), fill=(255, 255, 255))  # a white label inside
    return image


def test_plain_background_becomes_transparent_and_product_stays_opaque():
    alpha = np.asarray(cut_out(_packshot()).getchannel("A"))
    assert alpha[5, 5] == 0 and alpha[395, 295] == 0
    assert alpha[100, 150] == 255


def test_white_label_inside_the_product_is_kept():
    alpha = np.asarray(cut_out(_packshot()).getchannel("A"))
    assert alpha[220, 150] == 255


def test_near_plain_grey_background_is_removed_too():
    alpha = np.asarray(cut_out(_packshot((236, 236, 232))).getchannel("A"))
    assert alpha[10, 10] == 0 and alpha[300, 150] == 255


def test_edges_are_feathered_not_binary():
    alpha = np.asarray(cut_out(_packshot()).getchannel("A"))
    row = alpha[200, 80:100]
    assert any(0 < v < 255 for v in row)


def test_busy_photo_is_left_alone():
    noise = Image.effect_noise((300, 400), 90).convert("RGB")
    out = cut_out(noise)
    assert np.asarray(out.getchannel("A")).min() == 255


def test_trim_crops_to_the_product():
    assert trim(cut_out(_packshot())).size[0] <= 126  # 121 px + a feathered edge


def test_prepare_product_is_cached_per_image(tmp_path):
    import io

    buffer = io.BytesIO()
    _packshot().save(buffer, "PNG")
    data = buffer.getvalue()
    assert prepare_product(data) is prepare_product(data)


def test_product_sprite_sits_on_the_box_floor_with_a_shadow():
    product = trim(cut_out(_packshot()))
    sprite, (_ox, oy) = product_sprite(product, 400, 500, shadow=True)
    scaled_height = 500 - oy  # the base is anchored to the bottom of the box
    assert scaled_height == int(product.height * min(400 / product.width, 500 / product.height))
    alpha = np.asarray(sprite.getchannel("A"))
    assert alpha[scaled_height + 3].max() > 0  # the contact shadow spills under the base
    assert alpha[scaled_height + 3].max() < 200  # ...and it is soft


def test_reflection_is_a_fading_flipped_copy():
    from generations.render.imaging import reflection

    product = trim(cut_out(_packshot()))
    mirror = reflection(product, fraction=0.5, opacity=0.3)
    alpha = np.asarray(mirror.getchannel("A"))
    assert mirror.height == int(product.height * 0.5)
    assert alpha[0].max() <= int(255 * 0.3) + 1 and alpha[-1].max() <= 3


def test_the_placeholder_bottle_keeps_its_label_when_cut_out():
    """A brand without product photos gets the placeholder: its white label must not be
    punched out as background (it once touched the bottle's edge and joined the backdrop)."""
    bottle = prepare_product(placeholder_product((200, 160, 100), (130, 130, 130)))
    alpha = np.asarray(bottle.getchannel("A"))
    label_row = alpha[int(alpha.shape[0] * 0.55)]
    width = len(label_row)

    assert label_row[int(width * 0.15):int(width * 0.85)].min() == 255

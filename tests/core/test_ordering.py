from msoko.core.ordering import natural_key


def test_numbers_in_names_sort_as_numbers_and_case_and_yo_are_ignored():
    names = ["МБОУ «СОШ № 10»", "МБОУ «СОШ № 2»", "мбоу «Сош № 1»", "Ёлочка", "Елена", "МБОУ «СОШ № 11»"]
    assert sorted(names, key=natural_key) == ["Елена", "Ёлочка", "мбоу «Сош № 1»", "МБОУ «СОШ № 2»",
                                              "МБОУ «СОШ № 10»", "МБОУ «СОШ № 11»"]
    assert natural_key(None) == natural_key("")
